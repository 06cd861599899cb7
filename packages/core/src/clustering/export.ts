// Downloads of a run: the clusters CSV (one row per clustered call, with its embedding position)
// and the mappings CSV. Text cells go through neutralizeCell (formula injection) and CSV quoting.
import type { GroupAccess } from "../access/access.ts";
import type { DbContext } from "../access/context.ts";
import { csvText } from "../classification/export.ts";
import { listMappings } from "./mapping.ts";
import { clusterName, clusterNumber } from "./names.ts";
import { findRunInGroup } from "./runs.ts";

const PAGE = 5000;
const num = (x: number | null | undefined) =>
  x === null || x === undefined || !Number.isFinite(x) ? "" : String(x);

export interface CsvDownload {
  filename: string;
  csv: string;
}

const safeName = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 80) || "run";

export async function clustersCsv(
  { db }: DbContext,
  access: GroupAccess,
  runId: string,
): Promise<CsvDownload> {
  const run = await findRunInGroup({ db }, access, runId);
  // `cluster` and `cluster_name` as the explorer page shows them ("Cluster 3" is 3 here too).
  const parts: string[] = ["segment,recording,onset,offset,cluster,cluster_name,confidence,x,y\n"];
  let offset = 0;
  for (;;) {
    const rows = await db.$queryRaw<
      {
        segment: string;
        recording: string;
        onset: number;
        offset: number;
        cluster: number;
        label: string;
        confidence: number | null;
        x: number | null;
        y: number | null;
      }[]
    >`
      SELECT s.id AS segment, r.name AS recording, s.onset, s."offset", cl.index AS cluster, cl.label,
             sc.confidence, sc.x, sc.y
      FROM "SegmentCluster" sc
      JOIN "Cluster" cl ON cl.id = sc."clusterId"
      JOIN "Segment" s ON s.id = sc."segmentId"
      JOIN "Segmentation" sg ON sg.id = s."segmentationId"
      JOIN "Recording" r ON r.id = sg."recordingId"
      WHERE cl."runId" = ${run.id}
      ORDER BY r.name, r.id, s.onset, s.id
      OFFSET ${offset} LIMIT ${PAGE}`;
    for (const x of rows)
      parts.push(
        `${csvText(x.segment)},${csvText(x.recording)},${num(x.onset)},${num(x.offset)},${clusterNumber(x.cluster)},${csvText(clusterName({ index: x.cluster, label: x.label }))},${num(x.confidence)},${num(x.x)},${num(x.y)}\n`,
      );
    if (rows.length < PAGE) break;
    offset += PAGE;
  }
  return { filename: `${safeName(run.name)}-clusters.csv`, csv: parts.join("") };
}

export async function mappingsCsv(
  { db }: DbContext,
  access: GroupAccess,
  runId: string,
): Promise<CsvDownload> {
  const run = await findRunInGroup({ db }, access, runId);
  const rows = await listMappings({ db }, access, runId);
  const sizes = new Map(
    (await db.cluster.findMany({ where: { runId }, select: { id: true, size: true } })).map((c) => [
      c.id,
      c.size,
    ]),
  );
  const lines = ["cluster,cluster_name,size,call_type,confidence"];
  for (const m of rows)
    lines.push(
      `${clusterNumber(m.clusterIndex)},${csvText(clusterName({ index: m.clusterIndex, label: m.clusterLabel }))},${sizes.get(m.clusterId) ?? 0},${csvText(m.shortName)},${num(m.confidence)}`,
    );
  return { filename: `${safeName(run.name)}-mappings.csv`, csv: `${lines.join("\n")}\n` };
}
