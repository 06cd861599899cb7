import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { SelectField, TextField } from "../../components/ui";
import { type RouterInputs, type RouterOutputs, useTRPC } from "../../lib/trpc";

export type Defaults = RouterOutputs["segmentation"]["defaults"];
export type AlgorithmKey = RouterInputs["segmentation"]["defaults"]["algorithmKey"];
type ParamSpec = Defaults["spec"]["params"][number];
export type ParamValues = Record<string, number | null>;

/** Text values of the form, by parameter name ("" = unset / automatic). */
export type ParamText = Record<string, string>;

export const textFromValues = (values: ParamValues): ParamText =>
  Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v === null ? "" : String(v)]));

/** Parses and checks the form against the algorithm description; errors by parameter name. */
export function parseParams(
  spec: readonly ParamSpec[],
  text: ParamText,
): { values: ParamValues; errors: Record<string, string> } {
  const values: ParamValues = {};
  const errors: Record<string, string> = {};
  for (const p of spec) {
    const raw = (text[p.name] ?? "").trim();
    if (raw === "") {
      if (p.default === null) values[p.name] = null;
      else errors[p.name] = "Required";
      continue;
    }
    const v = Number(raw);
    if (!Number.isFinite(v)) errors[p.name] = "Not a number";
    else if (p.type === "integer" && !Number.isInteger(v)) errors[p.name] = "Whole number";
    else if (p.min !== undefined && v < p.min) errors[p.name] = `At least ${p.min}`;
    else if (p.max !== undefined && v > p.max) errors[p.name] = `At most ${p.max}`;
    else values[p.name] = v;
  }
  return { values, errors };
}

const unitLabel = (u: ParamSpec["unit"]) => (u ? ` (${u})` : "");

/**
 * Algorithm picker and the parameter form generated from the algorithm's description
 * (`segmentation.defaults`: label, unit, range, help), prefilled with the defaults overlaid with
 * the species' last used values. Reports parsed values (or errors) upward on every change.
 */
export function AlgorithmParams({
  recordingId,
  onChange,
  serverErrors,
}: {
  /** Defaults come from this recording's species. */
  recordingId: string;
  onChange: (v: { algorithmKey: AlgorithmKey; values: ParamValues; valid: boolean }) => void;
  serverErrors?: Record<string, string | undefined>;
}) {
  const trpc = useTRPC();
  const algorithms = useQuery(trpc.segmentation.algorithms.queryOptions());
  const [algorithmKey, setAlgorithmKey] = useState<AlgorithmKey>("spectral");
  const defaults = useQuery(trpc.segmentation.defaults.queryOptions({ recordingId, algorithmKey }));
  const [text, setText] = useState<ParamText>({});
  const spec = defaults.data?.spec;

  useEffect(() => {
    if (defaults.data) setText(textFromValues(defaults.data.params));
  }, [defaults.data]);

  const parsed = spec ? parseParams(spec.params, text) : null;
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;
  const valuesKey = JSON.stringify(parsed?.values);
  const valid = !!parsed && Object.keys(parsed.errors).length === 0;
  // biome-ignore lint/correctness/useExhaustiveDependencies: valuesKey stands for parsed.values
  useEffect(() => {
    if (parsed) onChangeRef.current({ algorithmKey, values: parsed.values, valid });
  }, [algorithmKey, valuesKey, valid]);

  const options = (algorithms.data ?? []).filter((a) => ["spectral", "threshold", "energy"].includes(a.key));

  return (
    <div className="stack">
      <SelectField
        label="Algorithm"
        value={algorithmKey}
        onChange={(e) => setAlgorithmKey(e.target.value as AlgorithmKey)}
        hint={spec?.description}
      >
        {options.length === 0 ? <option value="spectral">Spectral (default)</option> : null}
        {options.map((a) => (
          <option key={a.id} value={a.key}>
            {a.name}
          </option>
        ))}
      </SelectField>
      {defaults.isPending ? <p className="muted small">Loading parameters…</p> : null}
      {spec ? (
        <fieldset className="seg-params" style={{ border: 0, padding: 0, margin: 0 }}>
          <legend className="visually-hidden">Parameters</legend>
          {spec.params.map((p) => (
            <TextField
              key={p.name}
              label={`${p.label}${unitLabel(p.unit)}`}
              inputMode="decimal"
              value={text[p.name] ?? ""}
              placeholder={p.default === null ? "auto" : undefined}
              title={p.help}
              hint={defaults.data?.fromSpecies.includes(p.name) ? "species' last value" : undefined}
              error={parsed?.errors[p.name] ?? serverErrors?.[p.name]}
              onChange={(e) => setText((t) => ({ ...t, [p.name]: e.target.value }))}
            />
          ))}
        </fieldset>
      ) : null}
    </div>
  );
}
