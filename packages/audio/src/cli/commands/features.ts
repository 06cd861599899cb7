// `battycoda-audio features FILE --segments SEGS.json` -> CSV with the 27 warbleR feature columns.
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { extractCallFeatures, FEATURE_NAMES } from "../../features/index.ts";
import type { Segment } from "../../segmentation/index.ts";
import { readWavFile } from "../../wav/index.ts";
import { pickChannel } from "./channel.ts";

/** Accepts the segment command's output ({"segments": [...]}) or a bare array of {onset, offset}. */
export function parseSegments(text: string): Segment[] {
  const data: unknown = JSON.parse(text);
  const list = Array.isArray(data) ? data : (data as { segments?: unknown })?.segments;
  if (!Array.isArray(list))
    throw new Error('segments JSON must be {"segments":[{"onset":s,"offset":s}]} or an array');
  return list.map((s, i) => {
    const { onset, offset } = (s ?? {}) as { onset?: unknown; offset?: unknown };
    if (typeof onset !== "number" || typeof offset !== "number" || !(offset > onset) || onset < 0) {
      throw new Error(`segment ${i}: needs numeric onset < offset (seconds), got ${JSON.stringify(s)}`);
    }
    return { onset, offset };
  });
}

export function toCsv(rows: Record<string, number>[]): string {
  const fmt = (v: number): string => (Number.isFinite(v) ? String(v) : "NA");
  return [FEATURE_NAMES.join(","), ...rows.map((r) => FEATURE_NAMES.map((n) => fmt(r[n]!)).join(","))].join(
    "\n",
  );
}

export function register(program: Command): void {
  program
    .command("features")
    .description(
      "27 warbleR spectro_analysis features per segment, as CSV (kHz, s, kHz/s); NA where undefined",
    )
    .argument("<file>", "WAV file")
    .requiredOption("-s, --segments <json>", 'segments file: {"segments":[{"onset":s,"offset":s}]}')
    .option("-c, --channel <n|mix>", "channel to analyse (1-based) or 'mix'; warbleR used channel 1", "1")
    .action(async (file: string, opts: { segments: string; channel?: string }) => {
      const segments = parseSegments(await readFile(opts.segments, "utf8"));
      const wav = await readWavFile(file);
      const x = pickChannel(wav.channels, opts.channel);
      const rows = extractCallFeatures(x, wav.info.sampleRate, segments);
      process.stdout.write(`${toCsv(rows)}\n`);
    });
}
