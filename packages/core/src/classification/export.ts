// Downloads of a run: results CSV (a probability column per call type, the stamp as leading `#`
// lines), features CSV (segment metadata + the 27 features), parameters JSON. CSVs are produced
// page by page as an async iterable, so a big run is never held whole.
import { FEATURE_NAMES } from "@battycoda/audio";
import type { Db } from "@battycoda/db";
import { neutralizeCell } from "@battycoda/formats";
import type { GroupAccess } from "../access/access.ts";
import type { DbContext } from "../access/context.ts";
import { afterSegmentCursor, nextSegmentCursor, type SegmentCursor } from "../segmentation/keyset.ts";
import { labelMapperAt } from "../taxonomy/history.ts";
import { cachedFeatures } from "./features.ts";
import { findRunInGroup, getRun } from "./runs.ts";
import { isStamp, methodsText } from "./stamp.ts";

const PAGE = 1000;

/** A text cell: formula starts neutralised (see neutralizeCell), then CSV-quoted when needed. */
export function csvText(value: string | null | undefined): string {
  const v = neutralizeCell(value ?? "");
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

const num = (x: number | null | undefined) =>
  x === null || x === undefined || !Number.isFinite(x) ? "" : String(x);

function stampLines(stamp: unknown, isDummy: boolean): string {
  const lines = [
    "# BattyCoda classification results",
    ...(isDummy
      ? ["# DUMMY CLASSIFIER: equal probabilities for every call type; these are not predictions"]
      : []),
  ];
  if (isStamp(stamp)) {
    lines.push(`# recording: ${stamp.recording.name} (sha256 ${stamp.recording.sha256 ?? "unknown"})`);
    lines.push(
      `# segmentation: ${stamp.segmentation.name} (${stamp.segmentation.algorithm ?? stamp.segmentation.source}, version ${stamp.segmentation.version}) parameters ${JSON.stringify(stamp.segmentation.parameters)}`,
    );
    if (stamp.spectrogram)
      lines.push(`# spectrogram: nfft ${stamp.spectrogram.nFft}, hop ${stamp.spectrogram.hopLength}`);
    lines.push(
      `# features: ${stamp.features.extractor} version ${stamp.features.version}, channel ${stamp.features.channel + 1}`,
    );
    lines.push(
      `# classifier: ${stamp.classifier.name} (${stamp.classifier.type}, id ${stamp.classifier.id ?? "none"}, version ${stamp.classifier.version ?? "-"}, training data sha256 ${stamp.classifier.trainingDataHash ?? "-"})`,
    );
    if (stamp.r)
      lines.push(
        `# R ${stamp.r.version}; ${Object.entries(stamp.r.packages)
          .map(([k, v]) => `${k} ${v ?? "?"}`)
          .join(", ")}`,
      );
    for (const w of stamp.warnings) lines.push(`# warning: ${w}`);
  }
  lines.push(`# methods: ${methodsText(stamp).replace(/[\r\n]+/g, " ")}`);
  return `${lines.join("\n")}\n`;
}

export interface RunDownload {
  filename: string;
  contentType: string;
  body: AsyncIterable<string>;
}

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 80) || "run";
}

export async function resultsCsv(
  { db }: DbContext,
  access: GroupAccess,
  runId: string,
  options: { taxonomyVersion?: number | undefined } = {},
): Promise<RunDownload> {
  const run = await findRunInGroup({ db }, access, runId);
  const current = run.recording.speciesId
    ? await db.callType.findMany({
        where: { speciesId: run.recording.speciesId },
        orderBy: { shortName: "asc" },
      })
    : [];
  // In an earlier taxonomy version a column may gather several of today's call types (the parts
  // of a split): its probability is their sum. Merged types keep one column named "A|B".
  const relabel = await labelMapperAt({ db }, run.recording.speciesId, options.taxonomyVersion);
  const columns = new Map<string, string[]>();
  for (const t of current) {
    const name = relabel(t.shortName) as string;
    columns.set(name, [...(columns.get(name) ?? []), t.id]);
  }
  const types = [...columns].map(([shortName, ids]) => ({ shortName, ids }));
  async function* body() {
    yield stampLines(run.stamp, run.isDummy);
    if (options.taxonomyVersion !== undefined) yield `# taxonomy version: ${options.taxonomyVersion}\n`;
    yield `${[
      "segment_id",
      "onset",
      "offset",
      "low_freq",
      "high_freq",
      "predicted_label",
      "confidence",
      "status",
      "dummy",
      ...types.map((t) => csvText(`p_${t.shortName}`)),
    ].join(",")}\n`;
    for (let skip = 0; ; skip += PAGE) {
      const rows = await db.classificationResult.findMany({
        where: { runId: run.id },
        orderBy: [{ segment: { onset: "asc" } }, { id: "asc" }],
        take: PAGE,
        skip,
        include: {
          segment: { select: { onset: true, offset: true, lowFreq: true, highFreq: true } },
          probabilities: { select: { callTypeId: true, probability: true } },
        },
      });
      if (rows.length === 0) return;
      let out = "";
      for (const r of rows) {
        const probs = new Map(r.probabilities.map((p) => [p.callTypeId, p.probability]));
        const status = run.isDummy
          ? "dummy"
          : r.predictedLabel === null
            ? "not classified (call too short to measure)"
            : "classified";
        out += `${[
          csvText(r.segmentId),
          num(r.segment.onset),
          num(r.segment.offset),
          num(r.segment.lowFreq),
          num(r.segment.highFreq),
          csvText(relabel(r.predictedLabel)),
          num(r.confidence),
          csvText(status),
          run.isDummy ? "true" : "false",
          ...types.map((t) => {
            const ps = t.ids.map((id) => probs.get(id)).filter((p): p is number => p !== undefined);
            return num(ps.length ? ps.reduce((a, b) => a + b, 0) : undefined);
          }),
        ].join(",")}\n`;
      }
      yield out;
    }
  }
  return {
    filename: `${safeName(run.name)}-results.csv`,
    contentType: "text/csv; charset=utf-8",
    body: body(),
  };
}

export async function featuresCsv(
  { db }: DbContext,
  access: GroupAccess,
  runId: string,
): Promise<RunDownload> {
  const run = await findRunInGroup({ db }, access, runId);
  async function* body() {
    yield stampLines(run.stamp, run.isDummy);
    yield `${["segment_id", "onset", "offset", "low_freq", "high_freq", "label", ...FEATURE_NAMES].join(",")}\n`;
    if (!run.segmentationId) return;
    let cursor: SegmentCursor | null = null;
    for (;;) {
      const rows: {
        id: string;
        onset: number;
        offset: number;
        lowFreq: number | null;
        highFreq: number | null;
        label: string | null;
        features: unknown;
      }[] = await db.segment.findMany({
        where: {
          segmentationId: run.segmentationId,
          ...afterSegmentCursor(cursor),
        },
        orderBy: [{ onset: "asc" }, { id: "asc" }],
        take: PAGE,
        select: {
          id: true,
          onset: true,
          offset: true,
          lowFreq: true,
          highFreq: true,
          label: true,
          features: true,
        },
      });
      if (rows.length === 0) return;
      cursor = nextSegmentCursor(cursor, rows);
      let out = "";
      for (const s of rows) {
        // features of a segment edited since they were measured are left empty rather than wrong
        const f = cachedFeatures(s);
        out += `${[
          csvText(s.id),
          num(s.onset),
          num(s.offset),
          num(s.lowFreq),
          num(s.highFreq),
          csvText(s.label),
          ...FEATURE_NAMES.map((n) => num(f?.[n])),
        ].join(",")}\n`;
      }
      yield out;
    }
  }
  return {
    filename: `${safeName(run.name)}-features.csv`,
    contentType: "text/csv; charset=utf-8",
    body: body(),
  };
}

export async function parametersJson(
  { db }: DbContext,
  access: GroupAccess,
  runId: string,
): Promise<RunDownload> {
  const run = await getRun({ db }, access, runId);
  const doc = {
    run: {
      id: run.id,
      name: run.name,
      status: run.status,
      isDummy: run.isDummy,
      processedCount: run.processedCount,
      totalCount: run.totalCount,
      classifier: run.classifier,
      recording: run.recording,
      segmentationId: run.segmentationId,
    },
    parameters: run.parameters,
    stamp: run.stamp,
    methodsText: run.methodsText,
  };
  async function* body() {
    yield `${JSON.stringify(doc, null, 2)}\n`;
  }
  return {
    filename: `${run.name.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 80) || "run"}-parameters.json`,
    contentType: "application/json; charset=utf-8",
    body: body(),
  };
}
