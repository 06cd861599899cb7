import type { DbOrTx, Prisma } from "@battycoda/db";
import {
  type OutsideKind,
  type ParsedSegments,
  PickleError,
  parseSegmentFile,
  type Segment,
  SegmentFileError,
  UnsafePickleError,
  validateAgainstDuration,
} from "@battycoda/formats";
import type { GroupAccess } from "../access/access.ts";
import type { CoreContext, DbContext } from "../access/context.ts";
import { inTransaction } from "../access/context.ts";
import { badRequest, DomainError } from "../access/errors.ts";
import type { MediaStore } from "../media/store.ts";
import { enqueueBandMeasurement } from "./bands-job.ts";
import {
  activate,
  findRecordingForSegmentation,
  findSegmentationInGroup,
  hasActive,
  insertSegments,
  lockRecording,
  recordingDuration,
  type SegmentValues,
} from "./common.ts";
import { bumpVersion } from "./versioning.ts";

export type ImportMode = "new" | { intoSegmentationId: string; expectedVersion?: number };

export interface ImportSegmentsInput {
  recordingId: string;
  /** Decides the format by extension: .pickle/.pkl, .csv/.tsv, .txt (Raven or CSV). */
  fileName: string;
  content: Uint8Array;
  mode: ImportMode;
  /** Name of a new segmentation; default: the file name. */
  name?: string;
  /** New segmentation becomes the active one even if the recording already has one. */
  makeActive?: boolean;
  /** Lets the duration come from the WAV header when ingest has not filled Recording.duration yet. */
  media?: MediaStore;
}

/** A row that was not imported because it does not fit the recording. */
export interface OutsideRow {
  /** 1-based position in the file's segment list (after Raven view de-duplication). */
  index: number;
  onset: number;
  offset: number;
  kind: OutsideKind;
  message: string;
}

export interface ImportSegmentsResult {
  segmentationId: string;
  format: ParsedSegments["format"];
  imported: number;
  /** Rejected rows: outside the recording's duration. Reported, never silently kept or clipped. */
  outside: OutsideRow[];
  warnings: string[];
  /** Segmentation.version after the import. */
  version: number;
  /** Imported segments without a frequency box, measured by a background job (none without pg-boss). */
  bandsQueued: number;
  /** That job (a `segmentation.bands` Job), or null when there is nothing to measure. */
  bandsJobId: string | null;
}

/**
 * Parses a segment file with the safe readers of @battycoda/formats and stores it as a new
 * segmentation (source "import") or appends to an existing one. Rows outside the recording are
 * rejected and listed in `outside`; a file whose rows are all outside is refused.
 *
 * Segments the file gives no frequency box get one measured on the audio by a `segmentation.bands` job, queued with
 * the import when `boss` is there.
 *
 * Errors (DomainError BAD_REQUEST): unparseable rows → details `{ issues: [{line?, index?, message}] }`;
 * pickles that try to run code → details `{ unsafePickle: true }`.
 */
export async function importSegments(
  { db, boss }: DbContext & Partial<Pick<CoreContext, "boss">>,
  access: GroupAccess,
  input: ImportSegmentsInput,
): Promise<ImportSegmentsResult> {
  const rec = await findRecordingForSegmentation({ db }, access, input.recordingId);
  const target =
    input.mode === "new"
      ? null
      : await findSegmentationInGroup({ db }, access, input.mode.intoSegmentationId);
  if (target && target.recordingId !== rec.id) {
    throw badRequest("That segmentation belongs to another recording");
  }
  const duration = await recordingDuration(rec, input.media);
  const parsed = parseSegmentsOrThrow(input.fileName, input.content);

  const { outside } = validateAgainstDuration(parsed.segments, duration);
  const rejected = new Set(outside.map((o) => o.index));
  const kept = parsed.segments.filter((_, i) => !rejected.has(i));
  const outsideRows: OutsideRow[] = outside.map((o) => ({
    index: o.index + 1,
    onset: o.segment.onset,
    offset: o.segment.offset,
    kind: o.kind,
    message: o.message,
  }));
  if (kept.length === 0 && outsideRows.length > 0) {
    throw new DomainError(
      "BAD_REQUEST",
      `None of the ${outsideRows.length} segments lies within the recording (0–${duration} s)`,
      { outside: outsideRows },
    );
  }
  const warnings = [...parsed.warnings];
  const channels = new Set(kept.map((s) => s.channel).filter((c) => c !== undefined && c !== 1));
  if (channels.size > 0) {
    warnings.push(`segments of channel ${[...channels].join(", ")} were imported without their channel`);
  }
  const parameters: Prisma.InputJsonObject = {
    fileName: input.fileName,
    format: parsed.format,
    ...(parsed.threshold !== undefined ? { threshold: parsed.threshold } : {}),
  };

  return inTransaction(db, async (tx) => {
    await lockRecording(tx, rec.id);
    let segmentationId: string;
    let version: number;
    if (target) {
      version = await bumpVersion(
        tx,
        access,
        target.id,
        input.mode === "new" ? undefined : input.mode.expectedVersion,
        {
          manuallyEdited: false,
        },
      );
      segmentationId = target.id;
    } else {
      const created = await tx.segmentation.create({
        data: {
          groupId: access.groupId,
          recordingId: rec.id,
          name: (input.name ?? input.fileName).trim().slice(0, 200) || "Imported segments",
          parameters,
          source: "import",
          status: "completed",
          progress: 1,
          createdById: access.userId,
        },
      });
      segmentationId = created.id;
      version = created.version;
      if (input.makeActive || !(await hasActive(tx, rec.id, created.id)))
        await activate(tx, rec.id, created.id);
    }
    await insertSegments(tx, segmentationId, kept.map(segmentValues));
    const boxless = kept.filter((s) => s.lowFreq === undefined && s.highFreq === undefined).length;
    const bandsJobId =
      boss && boxless > 0
        ? await enqueueBandMeasurement(
            tx,
            boss,
            { id: segmentationId, groupId: access.groupId },
            access.userId,
            boxless,
          )
        : null;
    return {
      segmentationId,
      format: parsed.format,
      imported: kept.length,
      outside: outsideRows,
      warnings,
      version,
      bandsQueued: bandsJobId ? boxless : 0,
      bandsJobId,
    };
  });
}

function segmentValues(s: Segment): SegmentValues {
  // Times stay the parsed doubles, untouched, so an export writes the same text back.
  return {
    onset: s.onset,
    offset: s.offset,
    lowFreq: s.lowFreq ?? null,
    highFreq: s.highFreq ?? null,
    label: s.label ?? null,
    notes: s.notes ?? "",
  };
}

/** The formats package's errors, as DomainErrors a transport can show (line numbers kept). */
export function parseSegmentsOrThrow(fileName: string, content: Uint8Array): ParsedSegments {
  try {
    return parseSegmentFile(fileName, content);
  } catch (err) {
    if (err instanceof SegmentFileError) {
      throw new DomainError("BAD_REQUEST", `${fileName}: ${err.message}`, { issues: err.issues });
    }
    if (err instanceof UnsafePickleError) {
      throw new DomainError("BAD_REQUEST", `${fileName}: refused: ${err.message}`, { unsafePickle: true });
    }
    if (err instanceof PickleError) {
      throw new DomainError("BAD_REQUEST", `${fileName}: not a usable segment pickle: ${err.message}`, {
        issues: [{ message: err.message }],
      });
    }
    throw err;
  }
}
