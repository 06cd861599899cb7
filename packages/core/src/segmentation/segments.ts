import type { Db, DbOrTx, Prisma } from "@battycoda/db";
import type { GroupAccess } from "../access/access.ts";
import type { DbContext } from "../access/context.ts";
import { inTransaction } from "../access/context.ts";
import { DomainError, notFound } from "../access/errors.ts";
import type { MediaStore } from "../media/store.ts";
import { measureSpanBands, type SpanBand } from "./band.ts";
import {
  findSegmentationInGroup,
  insertSegments,
  recordingDuration,
  type SegmentDto,
  setSegmentNumbers,
  toSegmentDto,
} from "./common.ts";
import {
  MAX_WINDOW_SEGMENTS,
  type TBatchEditRequest,
  type TEditOp,
  type TListSegmentsRequest,
  type TSegmentFields,
} from "./segmentation.schemas.ts";
import { bumpVersion } from "./versioning.ts";

interface Candidate {
  onset: number;
  offset: number;
  lowFreq: number | null;
  highFreq: number | null;
}

function checkSegment(s: Candidate, duration: number, where: string): void {
  const problems: string[] = [];
  if (!(s.onset < s.offset)) problems.push(`onset ${s.onset} must be before offset ${s.offset}`);
  if (s.onset < 0) problems.push(`onset ${s.onset} is before the start of the recording`);
  if (s.offset > duration)
    problems.push(`offset ${s.offset} is after the end of the recording (${duration} s)`);
  if (s.lowFreq !== null && s.highFreq !== null && s.lowFreq > s.highFreq) {
    problems.push(`low frequency ${s.lowFreq} is above high frequency ${s.highFreq}`);
  }
  if (problems.length > 0) {
    throw new DomainError("BAD_REQUEST", `${where}: ${problems.join("; ")}`, { problems });
  }
}

export interface BatchEditResult {
  version: number;
  /** Per op, in order: the segment as stored (null for deletes). Creates get their new ids here. */
  results: (SegmentDto | null)[];
}

/**
 * Applies a list of segment edits atomically (undo/redo replays several at once) against
 * `expectedVersion`; see bumpVersion for the concurrency rule. Every op is validated against the
 * recording (onset < offset, inside its duration); one bad op rejects the whole batch.
 */
export async function batchEditSegments(
  { db }: DbContext,
  access: GroupAccess,
  input: TBatchEditRequest,
  options: { media?: MediaStore } = {},
): Promise<BatchEditResult> {
  const seg = await findSegmentationInGroup({ db }, access, input.segmentationId);
  const duration = await recordingDuration(seg.recording, options.media);
  const media = options.media;
  const measure: BandMeasurer = media
    ? async (span) => (await measureSpanBands(media, seg, [span]))[0]
    : async () => undefined;
  return inTransaction(
    db,
    async (tx) => {
      const version = await bumpVersion(tx, access, seg.id, input.expectedVersion, { manuallyEdited: true });
      const results: (SegmentDto | null)[] = [];
      for (const [i, op] of input.ops.entries()) {
        const where = input.ops.length > 1 ? `operation ${i + 1}` : "segment";
        results.push(await applyOp(tx, seg.id, op, { duration, where, measure }));
      }
      return { version, results };
    },
    { timeout: 30_000, maxWait: 10_000 },
  );
}

/** The span's band; undefined: not measured (no audio to measure on). */
type BandMeasurer = (span: { onset: number; offset: number }) => Promise<SpanBand | undefined>;

/**
 * A segment's band after an edit. One given (both edges, or cleared) is kept as given; else a drawn segment's band,
 * and a measured (or unknown) band whose segment moved, is measured for the new edges.
 */
async function bandAfterEdit(
  given: { lowFreq?: number | null; highFreq?: number | null },
  span: { onset: number; offset: number },
  before: {
    onset: number;
    offset: number;
    lowFreq: number | null;
    highFreq: number | null;
    bandMeasured: boolean;
  } | null,
  measure: BandMeasurer,
) {
  if (given.lowFreq !== undefined || given.highFreq !== undefined) {
    const lowFreq = given.lowFreq !== undefined ? given.lowFreq : (before?.lowFreq ?? null);
    const highFreq = given.highFreq !== undefined ? given.highFreq : (before?.highFreq ?? null);
    if (before === null && lowFreq === null && highFreq === null) return measured(await measure(span));
    return { lowFreq, highFreq, bandMeasured: false };
  }
  if (before !== null) {
    const moved = before.onset !== span.onset || before.offset !== span.offset;
    const follows = before.bandMeasured || (before.lowFreq === null && before.highFreq === null);
    if (!moved || !follows)
      return { lowFreq: before.lowFreq, highFreq: before.highFreq, bandMeasured: before.bandMeasured };
  }
  return measured(await measure(span));
}

// A span measured to hold nothing that stands out is measured too (no box; nothing measures it again until it moves).
const measured = (band: SpanBand | undefined) => ({
  lowFreq: band?.lowFreq ?? null,
  highFreq: band?.highFreq ?? null,
  bandMeasured: band !== undefined,
});

async function applyOp(
  tx: Prisma.TransactionClient,
  segmentationId: string,
  op: TEditOp,
  ctx: { duration: number; where: string; measure: BandMeasurer },
): Promise<SegmentDto | null> {
  const { duration, where } = ctx;
  if (op.op === "create") {
    const data = fields(op.segment);
    checkSegment(data, duration, where);
    const band = await bandAfterEdit(op.segment, data, null, ctx.measure);
    const [id] = await insertSegments(tx, segmentationId, [{ ...data, ...band }]);
    return toSegmentDto(await tx.segment.findUniqueOrThrow({ where: { id: id as string } }));
  }
  const existing = await tx.segment.findFirst({ where: { id: op.segmentId, segmentationId } });
  if (!existing) throw notFound(`Segment (${where})`);
  if (op.op === "delete") {
    await tx.segment.delete({ where: { id: existing.id } });
    return null;
  }
  const p = op.patch;
  const merged = {
    onset: p.onset ?? existing.onset,
    offset: p.offset ?? existing.offset,
    lowFreq: p.lowFreq !== undefined ? p.lowFreq : existing.lowFreq,
    highFreq: p.highFreq !== undefined ? p.highFreq : existing.highFreq,
  };
  checkSegment(merged, duration, where);
  if (p.label !== undefined || p.notes !== undefined) {
    await tx.segment.update({
      where: { id: existing.id },
      data: {
        ...(p.label !== undefined ? { label: p.label || null } : {}),
        ...(p.notes !== undefined ? { notes: p.notes } : {}),
      },
    });
  }
  await setSegmentNumbers(tx, existing.id, {
    ...merged,
    ...(await bandAfterEdit(p, merged, existing, ctx.measure)),
  });
  return toSegmentDto(await tx.segment.findUniqueOrThrow({ where: { id: existing.id } }));
}

function fields(s: TSegmentFields) {
  return {
    onset: s.onset,
    offset: s.offset,
    lowFreq: s.lowFreq ?? null,
    highFreq: s.highFreq ?? null,
    label: s.label || null,
    notes: s.notes ?? "",
  };
}

export async function listSegments({ db }: DbContext, access: GroupAccess, input: TListSegmentsRequest) {
  const seg = await findSegmentationInGroup({ db }, access, input.segmentationId);
  const where: Prisma.SegmentWhereInput = { segmentationId: seg.id };
  if (input.search) {
    where.OR = [
      { notes: { contains: input.search, mode: "insensitive" } },
      { label: { contains: input.search, mode: "insensitive" } },
    ];
  }
  const [total, rows] = await Promise.all([
    db.segment.count({ where }),
    db.segment.findMany({
      where,
      orderBy: [{ onset: "asc" }, { id: "asc" }],
      skip: (input.page - 1) * input.pageSize,
      take: input.pageSize,
    }),
  ]);
  return {
    items: rows.map(toSegmentDto),
    total,
    page: input.page,
    pageSize: input.pageSize,
    version: seg.version,
    status: seg.status,
  };
}

/** Segments overlapping [start, end) for the spectrogram viewer, with the version to edit against. */
export async function segmentsInWindow(
  { db }: DbContext,
  access: GroupAccess,
  input: { segmentationId: string; start: number; end: number },
) {
  const seg = await findSegmentationInGroup({ db }, access, input.segmentationId);
  const rows = await db.segment.findMany({
    where: { segmentationId: seg.id, onset: { lt: input.end }, offset: { gt: input.start } },
    orderBy: [{ onset: "asc" }, { id: "asc" }],
    take: MAX_WINDOW_SEGMENTS + 1,
  });
  return {
    items: rows.slice(0, MAX_WINDOW_SEGMENTS).map(toSegmentDto),
    truncated: rows.length > MAX_WINDOW_SEGMENTS,
    version: seg.version,
    status: seg.status,
  };
}
