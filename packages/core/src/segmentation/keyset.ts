// Walking a segmentation's calls page by page in onset order (features for clustering, a classification run, its
// exports). Prisma sends a Float filter value with 16 significant digits (see access/exact-float.ts, which writes
// them exactly; reads are exact too): a detector's onset such as
// 0.47433333333333333 s (a sample index over the rate) reaches PostgreSQL as 0.4743333333333333, so the usual
// keyset `onset > last.onset OR (onset = last.onset AND id > last.id)` matched the last call again, and again: a
// clustering run of 19 calls measured the 19th for a minute, at 13 000 % progress, and the features CSV would never
// end. Half of a detector's onsets have 17 digits. So the database is asked for onsets from just before the last
// one, minus the calls already seen there, by id (exact).
import type { Prisma } from "@battycoda/db";

/** Far below any sample period (1 MHz: 1 µs) and far above the 1e-16 relative error of a rounded filter value. */
const MARGIN_S = 1e-7;

/** Where a walk over segments in (onset, id) order stands: the last onset, and the ids seen near it. */
export interface SegmentCursor {
  onset: number;
  seen: string[];
}

/** The filter for the next page (to AND with the walk's own); order the page by onset, then id. */
export function afterSegmentCursor(cursor: SegmentCursor | null): Prisma.SegmentWhereInput {
  if (!cursor) return {};
  return { onset: { gte: cursor.onset - MARGIN_S }, id: { notIn: cursor.seen } };
}

/** The cursor after `page` (non-empty, in onset order). */
export function nextSegmentCursor(
  cursor: SegmentCursor | null,
  page: readonly { onset: number; id: string }[],
): SegmentCursor {
  const last = page[page.length - 1];
  if (!last) throw new RangeError("nextSegmentCursor needs a non-empty page");
  const near = (onset: number) => onset >= last.onset - MARGIN_S;
  // calls near the new last onset may have come on earlier pages too (many calls within the margin: duplicates)
  const earlier = cursor && near(cursor.onset) ? cursor.seen : [];
  return { onset: last.onset, seen: [...earlier, ...page.filter((s) => near(s.onset)).map((s) => s.id)] };
}
