import { TRPCClientError } from "@trpc/client";

/**
 * The API's error formatter flattens zod errors into `error.data.zodError`
 * (`{ formErrors: string[]; fieldErrors: Record<string, string[]> }`). These helpers turn any
 * error thrown by a tRPC call into a form-level message plus per-field messages.
 */
type FlatZod = { formErrors?: string[]; fieldErrors?: Record<string, string[] | undefined> };

function zodErrorOf(error: unknown): FlatZod | null {
  if (!(error instanceof TRPCClientError)) return null;
  const data = error.data as { zodError?: FlatZod | null } | undefined;
  return data?.zodError ?? null;
}

export function fieldErrors(error: unknown): Record<string, string | undefined> {
  const z = zodErrorOf(error);
  const out: Record<string, string | undefined> = {};
  if (!z?.fieldErrors) return out;
  for (const [k, v] of Object.entries(z.fieldErrors)) if (v && v.length > 0) out[k] = v[0];
  return out;
}

export function errorCode(error: unknown): string | undefined {
  if (!(error instanceof TRPCClientError)) return undefined;
  return (error.data as { code?: string } | undefined)?.code;
}

/**
 * A human message for the top of a form. Validation errors also name each field with its message: not every form
 * highlights its fields (the admin's procedure forms nest theirs), and "the highlighted fields" with nothing
 * highlighted leaves the user guessing.
 */
export function errorMessage(error: unknown): string | null {
  if (!error) return null;
  const z = zodErrorOf(error);
  if (z) {
    if (z.formErrors && z.formErrors.length > 0) return z.formErrors.join(" ");
    const fields = Object.entries(fieldErrors(error));
    if (fields.length === 0) return "Please correct the form.";
    return `Please correct ${fields.map(([k, v]) => `${k}: ${v}`).join("; ")}.`;
  }
  if (error instanceof TRPCClientError) {
    if (error.message === "Failed to fetch") return "Cannot reach the server. Is it running?";
    return error.message;
  }
  if (error instanceof Error) return error.message;
  return "Something went wrong.";
}
