// Child process for the segmentation memory benchmark: one recording segmented whole (read at once, as the detector
// was run before pieces) or a piece at a time (as the worker runs it), then peak RSS, CPU time and the segments found.
import { open } from "node:fs/promises";
import { resourceUsage } from "node:process";
import { segment, segmentInPieces, spectralPieces } from "../src/segmentation/index.ts";
import { readFrames, readWavFile, readWavInfoFromHandle } from "../src/wav/index.ts";

const [mode, wav] = process.argv.slice(2);
if ((mode !== "whole" && mode !== "pieces") || !wav)
  throw new Error("usage: segment-rss-child.ts whole|pieces IN.wav");
const cpu0 = process.cpuUsage();
let found: number;
if (mode === "whole") {
  const w = await readWavFile(wav);
  found = segment(w.channels[0]!, w.info.sampleRate).length;
} else {
  const fh = await open(wav, "r");
  try {
    const info = await readWavInfoFromHandle(fh);
    const sr = info.sampleRate;
    const segments = await segmentInPieces(
      spectralPieces(info.frames, sr),
      sr,
      async (s, e) => (await readFrames(fh, info, s, e))[0]!,
      async (x) => segment(x, sr),
    );
    found = segments.length;
  } finally {
    await fh.close();
  }
}
const cpu = process.cpuUsage(cpu0);
process.stdout.write(
  `${JSON.stringify({ maxRssMB: resourceUsage().maxRSS / 1024, cpuSeconds: (cpu.user + cpu.system) / 1e6, found })}\n`,
);
