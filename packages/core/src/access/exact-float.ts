// Numbers bound as query parameters reach PostgreSQL rounded to 16 significant digits through
// Prisma (its pg adapter path: 0.30000000000000004 is stored as 0.3, 2.3333333333333335 as
// 2.333333333333333), for model writes and for values bound in $queryRaw/$executeRaw alike. Where
// a float8 column must hold the exact double, send the shortest round-trip text (String(x)) and
// cast it to float8 in SQL: PostgreSQL's parse of that text is exact.
import type { DbOrTx } from "@battycoda/db";
import type { DbContext } from "./context.ts";

/** The exact text of a double for a `::float8` cast (null stays null). */
export const float8Text = (x: number | null | undefined): string | null =>
  x === null || x === undefined ? null : String(x);

/**
 * Rewrites Recording.duration exactly (frames / sampleRate). Segment times are checked against it
 * strictly, so a segment ending at the last sample (exact n/sr, e.g. from a pickle written by Python)
 * must not be refused because the stored duration lost its 17th digit.
 */
export async function writeExactDuration(
  { db }: DbContext,
  recordingId: string,
  duration: number | null | undefined,
): Promise<void> {
  if (duration === null || duration === undefined) return;
  await db.$executeRaw`UPDATE "Recording" SET duration = ${float8Text(duration)}::float8 WHERE id = ${recordingId}`;
}
