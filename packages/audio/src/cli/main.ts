// battycoda-audio: batch command-line access to the DSP engine (see `battycoda-audio --help`).
import { Command, CommanderError } from "commander";
import { WavError } from "../wav/index.ts";
import { register as registerFeatures } from "./commands/features.ts";
import { register as registerInfo } from "./commands/info.ts";
import { register as registerSegment } from "./commands/segment.ts";
import { register as registerSpectrogram } from "./commands/spectrogram.ts";

const program = new Command()
  .name("battycoda-audio")
  .description("BattyCoda audio engine: WAV info, spectrograms (HDF5/PNG), call segmentation, call features")
  .showHelpAfterError()
  .exitOverride();

registerInfo(program);
registerSpectrogram(program);
registerSegment(program);
registerFeatures(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // Commander already printed usage/help; keep its exit code (0 for --help/--version).
    process.exitCode = err.exitCode;
  } else if (err instanceof WavError) {
    process.stderr.write(`error: ${err.code}: ${err.message}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`error: ${(err as Error).message ?? String(err)}\n`);
    process.exitCode = 1;
  }
}
