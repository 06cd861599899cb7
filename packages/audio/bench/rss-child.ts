// Child process for the memory benchmark: one streamed spectrogram job, then report peak RSS.
import { resourceUsage } from "node:process";
import { writeSpectrogramFile } from "../src/spectrogram/index.ts";

const [wav, out] = process.argv.slice(2);
if (!wav || !out) throw new Error("usage: rss-child.ts IN.wav OUT.h5");
const cpu0 = process.cpuUsage();
const summary = await writeSpectrogramFile(wav, out);
const cpu = process.cpuUsage(cpu0);
process.stdout.write(
  `${JSON.stringify({ maxRssMB: resourceUsage().maxRSS / 1024, cpuSeconds: (cpu.user + cpu.system) / 1e6, duration: summary.duration })}\n`,
);
