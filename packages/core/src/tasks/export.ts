// "Download completed batches": a ZIP streamed as it is written (yazl), per batch a folder with
// one workbook per recording (exceljs' streaming WorkbookWriter: rows are committed as they are
// read, page by page) and summary.xlsx (summary + parameters sheets); or the same as CSV files.
// Nothing is held whole in memory: one page of tasks at a time. Text cells go through
// neutralizeCell, so a note like "=HYPERLINK(…)" is text in every spreadsheet program.
import { PassThrough, type Readable } from "node:stream";
import { finished } from "node:stream/promises";
import type { Db, Prisma } from "@battycoda/db";
import { neutralizeCell, spanDuration } from "@battycoda/formats";
import yazl from "yazl";
import { z } from "zod";
import type { GroupAccess } from "../access/access.ts";
import type { DbContext } from "../access/context.ts";
import { badRequest, notFound } from "../access/errors.ts";
import { isStamp, type RunStamp } from "../classification/stamp.ts";
import { labelMapperAt } from "../taxonomy/history.ts";
import type { StoredSource } from "./batches.ts";

const PAGE = 2000;

export const ZExportRequest = z.object({
  batchIds: z.array(z.string().trim().min(1).max(64)).max(200).optional(),
  projectId: z.string().trim().min(1).max(64).optional(),
  format: z.enum(["xlsx", "csv"]).default("xlsx"),
  /** Labels as they were written in this taxonomy version of the batch's species (default: current). */
  taxonomyVersion: z.coerce.number().int().min(0).optional(),
});
export type TExportRequest = z.input<typeof ZExportRequest>;

export interface TaskDownload {
  filename: string;
  contentType: string;
  body: Readable;
}

export const TASK_COLUMNS = [
  "Task ID",
  "Position",
  "Onset (s)",
  "Offset (s)",
  "Duration (s)",
  "Status",
  "Label (human)",
  "Classification",
  "Confidence",
  "Notes",
  "Annotator labels",
  "WAV file",
  "Species",
  "Project",
  "Created by",
  "Annotated by",
  "Annotated at",
  "Adjudicated by",
  "Adjudicated at",
  "Task created at",
  "Stamp",
] as const;

type Cell = string | number | null;
/** Current label → the label in the requested taxonomy version (identity by default). */
type Relabel = (label: string | null) => string | null;

const text = (v: string | null | undefined): string => neutralizeCell(v ?? "");
const iso = (d: Date | null | undefined) => (d ? d.toISOString() : "");

function safeName(name: string, fallback: string): string {
  return (
    name
      .replace(/[^A-Za-z0-9._ -]+/g, "_")
      .trim()
      .slice(0, 80) || fallback
  );
}

function csvLine(cells: Cell[]): string {
  return `${cells
    .map((c) => {
      if (c === null) return "";
      if (typeof c === "number") return Number.isFinite(c) ? String(c) : "";
      return /[",\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c;
    })
    .join(",")}\n`;
}

const BATCH_INCLUDE = {
  project: { select: { name: true } },
  species: { select: { name: true } },
  createdBy: { select: { username: true } },
  assignees: { select: { user: { select: { username: true } } } },
} as const;
type ExportBatch = Prisma.TaskBatchGetPayload<{ include: typeof BATCH_INCLUDE }>;

interface RunInfo {
  id: string;
  isDummy: boolean;
  stamp: RunStamp | null;
  classifier: { name: string; type: string; version: number } | null;
  segmentation: { name: string; parameters: unknown; algorithm: string | null } | null;
}

/** The short stamp of every row: which run and classifier version stand behind the prediction. */
function stampText(run: RunInfo | undefined): string {
  if (!run) return "no classification";
  const c = run.stamp?.classifier;
  const name = c?.name ?? run.classifier?.name ?? "dummy";
  const version = c?.version ?? run.classifier?.version ?? null;
  const hash = c?.trainingDataHash ? ` data ${c.trainingDataHash.slice(0, 12)}` : "";
  return `run ${run.id}; ${run.isDummy ? "dummy classifier" : `${name}${version ? ` v${version}` : ""}${hash}`}`;
}

async function runsOf({ db }: DbContext, batch: ExportBatch): Promise<Map<string, RunInfo>> {
  const src = batch.source as Partial<StoredSource> | null;
  const ids = [batch.classificationRunId, ...(src?.pairs ?? []).map((p) => p.runId)].filter(
    (x): x is string => !!x,
  );
  const runs = await db.classificationRun.findMany({
    where: { id: { in: ids }, groupId: batch.groupId },
    include: {
      classifier: { select: { name: true, type: true, version: true } },
      segmentation: { select: { name: true, parameters: true, algorithm: { select: { name: true } } } },
    },
  });
  return new Map(
    runs.map((r) => [
      r.recordingId,
      {
        id: r.id,
        isDummy: r.isDummy,
        stamp: isStamp(r.stamp) ? r.stamp : null,
        classifier: r.classifier,
        segmentation: r.segmentation
          ? {
              name: r.segmentation.name,
              parameters: r.segmentation.parameters,
              algorithm: r.segmentation.algorithm?.name ?? null,
            }
          : null,
      },
    ]),
  );
}

/** Every task of one recording in a batch, page by page, as spreadsheet rows. */
async function* taskRows(
  { db }: DbContext,
  batch: ExportBatch,
  recording: { id: string; name: string; originalFilename: string },
  run: RunInfo | undefined,
  relabel: Relabel = (l) => l,
): AsyncGenerator<Cell[]> {
  let after = 0;
  const wav = text(recording.originalFilename || recording.name);
  const stamp = text(stampText(run));
  while (true) {
    const page = await db.task.findMany({
      where: { batchId: batch.id, recordingId: recording.id, position: { gt: after } },
      orderBy: { position: "asc" },
      take: PAGE,
      include: {
        annotatedBy: { select: { username: true } },
        adjudicatedBy: { select: { username: true } },
        labels: {
          select: { label: true, user: { select: { username: true } } },
          orderBy: { createdAt: "asc" },
        },
      },
    });
    for (const t of page) {
      yield [
        t.id,
        t.position,
        t.onset,
        t.offset,
        spanDuration(t.onset, t.offset),
        t.status,
        text(relabel(t.label)),
        run?.isDummy ? "" : text(relabel(t.predictedLabel)),
        t.confidence,
        text(t.notes),
        text(t.labels.map((l) => `${l.user.username}: ${relabel(l.label)}`).join("; ")),
        wav,
        text(batch.species?.name),
        text(batch.project?.name),
        text(batch.createdBy?.username),
        text(t.annotatedBy?.username ?? t.labels.map((l) => l.user.username).join(", ")),
        iso(t.annotatedAt),
        text(t.adjudicatedBy?.username),
        iso(t.adjudicatedAt),
        iso(t.createdAt),
        stamp,
      ];
    }
    if (page.length < PAGE) return;
    after = page[page.length - 1]?.position ?? after;
  }
}

function parameterRows(batch: ExportBatch, runs: Map<string, RunInfo>, taxonomyVersion?: number): Cell[][] {
  const rows: Cell[][] = [
    ...(taxonomyVersion !== undefined ? [["Taxonomy version", taxonomyVersion] as Cell[]] : []),
    ["Batch", text(batch.name)],
    ["Batch ID", batch.id],
    ["Description", text(batch.description)],
    ["Created by", text(batch.createdBy?.username)],
    ["Created at", iso(batch.createdAt)],
    ["Order", batch.orderMode],
    ["Confidence threshold", batch.confidenceThreshold],
    ["Blind (multi-annotator)", batch.blind ? "yes" : "no"],
    ["Assignees", text(batch.assignees.map((a) => a.user.username).join(", "))],
    ["Species", text(batch.species?.name)],
    ["Project", text(batch.project?.name)],
    ["Exported at", new Date().toISOString()],
  ];
  for (const run of runs.values()) {
    const s = run.stamp;
    rows.push([]);
    rows.push(["Run", run.id]);
    rows.push(["Recording", text(s?.recording.name)]);
    rows.push(["Recording sha256", s?.recording.sha256 ?? ""]);
    rows.push([
      "Segmentation",
      text(
        `${s?.segmentation.name ?? run.segmentation?.name ?? ""} (${s?.segmentation.algorithm ?? run.segmentation?.algorithm ?? s?.segmentation.source ?? ""})`,
      ),
    ]);
    rows.push([
      "Segmentation parameters",
      text(JSON.stringify(s?.segmentation.parameters ?? run.segmentation?.parameters ?? {})),
    ]);
    rows.push([
      "Classifier",
      text(
        run.isDummy
          ? "dummy (equal probabilities; no predictions)"
          : (s?.classifier.name ?? run.classifier?.name),
      ),
    ]);
    rows.push(["Classifier type", s?.classifier.type ?? run.classifier?.type ?? ""]);
    rows.push(["Classifier version", s?.classifier.version ?? run.classifier?.version ?? null]);
    rows.push(["Training data sha256", s?.classifier.trainingDataHash ?? ""]);
    rows.push([
      "Spectrogram",
      s?.spectrogram
        ? `nfft ${s.spectrogram.nFft}, hop ${s.spectrogram.hopLength}, ${s.spectrogram.sampleRate} Hz`
        : "",
    ]);
    rows.push([
      "Features",
      s ? `${s.features.extractor} ${s.features.version}, channel ${s.features.channel + 1}` : "",
    ]);
    rows.push([
      "R",
      s?.r
        ? text(
            `${s.r.version}; ${Object.entries(s.r.packages)
              .map(([k, v]) => `${k} ${v ?? "?"}`)
              .join(", ")}`,
          )
        : "",
    ]);
    rows.push(["Reproducibility stamp", text(JSON.stringify(s ?? null))]);
  }
  return rows;
}

async function summaryRows(
  { db }: DbContext,
  batch: ExportBatch,
  recordings: { id: string; name: string }[],
  relabel: Relabel = (l) => l,
) {
  const counts = await db.task.groupBy({
    by: ["recordingId", "status", "label"],
    where: { batchId: batch.id },
    _count: { _all: true },
  });
  const rows: Cell[][] = [["Recording", "Tasks", "Done", "Skipped", "Pending", "Labels"]];
  for (const rec of recordings) {
    const mine = counts.filter((c) => c.recordingId === rec.id);
    const n = (f: (c: (typeof mine)[number]) => boolean) =>
      mine.filter(f).reduce((s, c) => s + c._count._all, 0);
    const labels = new Map<string, number>();
    for (const c of mine) {
      const l = relabel(c.label);
      if (l) labels.set(l, (labels.get(l) ?? 0) + c._count._all);
    }
    rows.push([
      text(rec.name),
      n(() => true),
      n((c) => c.status === "done"),
      n((c) => c.status === "skipped"),
      n((c) => c.status === "pending" || c.status === "in_progress"),
      text([...labels].map(([l, k]) => `${l}: ${k}`).join("; ")),
    ]);
  }
  return rows;
}

async function writeWorkbook(
  out: PassThrough,
  sheets: { name: string; rows: AsyncIterable<Cell[]> | Iterable<Cell[]> }[],
): Promise<void> {
  // loaded on the first export: a third of a second of start-up for every API process otherwise
  const { default: ExcelJS } = await import("exceljs");
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useStyles: false,
    useSharedStrings: false,
  });
  for (const sheet of sheets) {
    const ws = wb.addWorksheet(sheet.name);
    for await (const row of sheet.rows) ws.addRow(row).commit();
    ws.commit();
  }
  await wb.commit();
}

async function writeCsv(out: PassThrough, rows: AsyncIterable<Cell[]> | Iterable<Cell[]>): Promise<void> {
  for await (const row of rows) {
    if (!out.write(csvLine(row))) await new Promise((r) => out.once("drain", r));
  }
  out.end();
}

async function selectBatches({ db }: DbContext, access: GroupAccess, input: z.infer<typeof ZExportRequest>) {
  if (input.projectId) {
    const p = await db.project.findFirst({ where: { id: input.projectId, groupId: access.groupId } });
    if (!p) throw notFound("Project");
  }
  if (input.batchIds?.length) {
    const rows = await db.taskBatch.findMany({
      where: { id: { in: input.batchIds }, groupId: access.groupId },
      include: BATCH_INCLUDE,
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    });
    if (rows.length !== new Set(input.batchIds).size) throw notFound("Task batch");
    const notReady = rows.find((b) => b.status !== "ready");
    if (notReady) throw badRequest(`The batch "${notReady.name}" is ${notReady.status}, not ready`);
    return rows;
  }
  const rows = await db.taskBatch.findMany({
    where: {
      groupId: access.groupId,
      status: "ready",
      ...(input.projectId ? { projectId: input.projectId } : {}),
      tasks: { none: { status: { in: ["pending", "in_progress"] } } },
    },
    include: BATCH_INCLUDE,
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
  if (rows.length === 0) throw notFound("Completed task batch");
  return rows;
}

/** The ZIP of the chosen (or all completed) batches; checks happen before anything is streamed. */
export async function exportBatchesZip(
  { db }: DbContext,
  access: GroupAccess,
  raw: TExportRequest,
): Promise<TaskDownload> {
  const input = ZExportRequest.parse(raw);
  const batches = await selectBatches({ db }, access, input);
  const zip = new yazl.ZipFile();
  const ext = input.format;
  const produce = async () => {
    const used = new Set<string>();
    const unique = (name: string) => {
      let n = name;
      for (let i = 2; used.has(n.toLowerCase()); i++) n = name.replace(/(\.[a-z]+)$/, ` (${i})$1`);
      used.add(n.toLowerCase());
      return n;
    };
    // one entry at a time: yazl reads them in order, so only the entry being written is buffered
    const entry = async (name: string, write: (out: PassThrough) => Promise<void>) => {
      const out = new PassThrough();
      zip.addReadStream(out, unique(name));
      await write(out);
      await finished(out, { readable: false });
    };
    for (const batch of batches) {
      const folder = safeName(batch.name, batch.id);
      const recordings = await db.recording.findMany({
        where: { tasks: { some: { batchId: batch.id } } },
        select: { id: true, name: true, originalFilename: true },
        orderBy: [{ name: "asc" }, { id: "asc" }],
      });
      const runs = await runsOf({ db }, batch);
      const relabel = await labelMapperAt({ db }, batch.speciesId, input.taxonomyVersion);
      const params = parameterRows(batch, runs, input.taxonomyVersion);
      const summary = await summaryRows({ db }, batch, recordings, relabel);
      if (ext === "xlsx") {
        await entry(`${folder}/summary.xlsx`, (out) =>
          writeWorkbook(out, [
            { name: "Summary", rows: summary },
            { name: "Parameters", rows: params },
          ]),
        );
      } else {
        await entry(`${folder}/summary.csv`, (out) => writeCsv(out, summary));
        await entry(`${folder}/parameters.csv`, (out) => writeCsv(out, params));
      }
      for (const rec of recordings) {
        const rows = async function* () {
          yield [...TASK_COLUMNS] as Cell[];
          yield* taskRows({ db }, batch, rec, runs.get(rec.id), relabel);
        };
        const base = safeName(rec.name.replace(/\.wav$/i, ""), rec.id);
        if (ext === "xlsx")
          await entry(`${folder}/${base}.xlsx`, (out) =>
            writeWorkbook(out, [
              { name: "Tasks", rows: rows() },
              { name: "Parameters", rows: params },
            ]),
          );
        else await entry(`${folder}/${base}.csv`, (out) => writeCsv(out, rows()));
      }
    }
    zip.end();
  };
  const body = zip.outputStream as unknown as Readable;
  // a failure half-way (database gone) aborts the download instead of ending a truncated ZIP cleanly
  produce().catch((err) => body.destroy(err instanceof Error ? err : new Error(String(err))));
  const stamp = new Date().toISOString().slice(0, 10);
  return {
    filename: `task-batches-${stamp}.zip`,
    contentType: "application/zip",
    body,
  };
}

/** One batch as one CSV (every recording), streamed page by page. */
export async function exportBatchCsv(
  { db }: DbContext,
  access: GroupAccess,
  batchId: string,
  options: { taxonomyVersion?: number | undefined } = {},
): Promise<TaskDownload> {
  const [batch] = await selectBatches({ db }, access, { batchIds: [batchId], format: "csv" });
  if (!batch) throw notFound("Task batch");
  const runs = await runsOf({ db }, batch);
  const relabel = await labelMapperAt({ db }, batch.speciesId, options.taxonomyVersion);
  const recordings = await db.recording.findMany({
    where: { tasks: { some: { batchId: batch.id } } },
    select: { id: true, name: true, originalFilename: true },
    orderBy: [{ name: "asc" }, { id: "asc" }],
  });
  const out = new PassThrough();
  const rows = async function* () {
    yield [...TASK_COLUMNS] as Cell[];
    for (const rec of recordings) yield* taskRows({ db }, batch, rec, runs.get(rec.id), relabel);
  };
  writeCsv(out, rows()).catch((err) => out.destroy(err instanceof Error ? err : new Error(String(err))));
  return {
    filename: `${safeName(batch.name, batch.id)}.csv`,
    contentType: "text/csv; charset=utf-8",
    body: out,
  };
}
