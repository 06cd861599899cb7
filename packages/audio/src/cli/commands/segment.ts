// `battycoda-audio segment FILE [--algorithm NAME] [--<param> VALUE ...]` -> {"segments":[{"onset":s,"offset":s,...}]}
// (the spectral detector adds each call's band, "lowFreq" and "highFreq" in Hz)
import { open } from "node:fs/promises";
import type { Command } from "commander";
import {
  DEFAULT_ALGORITHM,
  SEGMENTATION_ALGORITHMS,
  type SegmentationAlgorithm,
  type SegmentParams,
  segment,
  segmentWavInPieces,
} from "../../segmentation/index.ts";
import { readWavFile, readWavInfoFromHandle } from "../../wav/index.ts";
import { channelIndex, pickChannel } from "./channel.ts";

const flag = (name: string): string => name.replaceAll("_", "-");
const camel = (name: string): string => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

export function register(program: Command): void {
  const cmd = program
    .command("segment")
    .description(
      `detect calls; prints JSON {"segments":[{"onset":s,"offset":s,"lowFreq":Hz,"highFreq":Hz}]} (the band: spectral only). Algorithms: ${SEGMENTATION_ALGORITHMS.map(
        (a) => a.name,
      ).join(", ")} (default ${DEFAULT_ALGORITHM})`,
    )
    .argument("<file>", "WAV file")
    .option("-a, --algorithm <name>", "segmentation algorithm", DEFAULT_ALGORITHM)
    .option("-c, --channel <n|mix>", "channel to analyse (1-based) or 'mix'", "1");
  const names = new Set<string>();
  for (const algo of SEGMENTATION_ALGORITHMS) {
    for (const p of algo.params) {
      if (names.has(p.name)) continue;
      names.add(p.name);
      cmd.option(
        `--${flag(p.name)} <${p.unit || "value"}>`,
        `${p.help} [${SEGMENTATION_ALGORITHMS.filter((a) => a.params.some((q) => q.name === p.name))
          .map((a) => a.name)
          .join(", ")}]`,
      );
    }
  }
  cmd.action(async (file: string, opts: Record<string, string | undefined>) => {
    const algorithm = opts.algorithm as SegmentationAlgorithm;
    const spec = SEGMENTATION_ALGORITHMS.find((a) => a.name === algorithm);
    if (!spec) throw new Error(`unknown algorithm "${algorithm}"`);
    const params: SegmentParams = {};
    for (const name of names) {
      const raw = opts[camel(name)];
      if (raw === undefined) continue;
      if (!spec.params.some((p) => p.name === name))
        throw new Error(`--${flag(name)} does not apply to ${algorithm}`);
      const v = Number(raw);
      if (!Number.isFinite(v)) throw new Error(`--${flag(name)} must be a number, got "${raw}"`);
      params[name] = v;
    }
    if (algorithm === "spectral" && opts.channel !== "mix") {
      // A piece at a time, so a recording of hours fits in memory (see segmentWavInPieces).
      const fh = await open(file, "r");
      try {
        const info = await readWavInfoFromHandle(fh);
        const channel = channelIndex(info.channels, opts.channel);
        const { segments } = await segmentWavInPieces(fh, info, {
          channel,
          params,
          detect: async (x) => segment(x, info.sampleRate, { algorithm, params }),
        });
        process.stdout.write(`${JSON.stringify({ segments })}\n`);
      } finally {
        await fh.close();
      }
      return;
    }
    const wav = await readWavFile(file);
    const x = pickChannel(wav.channels, opts.channel);
    const segments = segment(x, wav.info.sampleRate, { algorithm, params });
    process.stdout.write(`${JSON.stringify({ segments })}\n`);
  });
}
