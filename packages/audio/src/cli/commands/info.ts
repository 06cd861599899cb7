// `battycoda-audio info FILE` -> JSON description of a WAV file (format, length, metadata, warnings).
import type { Command } from "commander";
import { readWavInfo } from "../../wav/index.ts";

export function register(program: Command): void {
  program
    .command("info")
    .description("print a WAV file's format, length and metadata (GUANO, LIST/INFO, bext) as JSON")
    .argument("<file>", "WAV file")
    .action(async (file: string) => {
      const info = await readWavInfo(file);
      const out = {
        file,
        sampleRate: info.sampleRate,
        channels: info.channels,
        bitsPerSample: info.bitsPerSample,
        validBitsPerSample: info.validBitsPerSample,
        format: info.format,
        extensible: info.extensible,
        frames: info.frames,
        duration: info.duration,
        dataOffset: info.dataOffset,
        dataBytes: info.dataBytes,
        metadata: info.metadata,
        warnings: info.warnings,
      };
      process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    });
}
