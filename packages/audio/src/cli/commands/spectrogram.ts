// `battycoda-audio spectrogram FILE -o OUT.h5` -> streamed STFT to HDF5, progress on stderr, summary JSON on stdout.
// `battycoda-audio render OUT.h5 -o WINDOW.png [--start s --end s --fmin Hz --fmax Hz --colormap name --width px
// --wav REC.wav]`: a close-up (more pixels than the file keeps columns) comes from the recording, as in the app.
import { writeFile } from "node:fs/promises";
import type { Command } from "commander";
import {
  COLORMAP_NAMES,
  DEFAULT_COLORMAP,
  isColormapName,
  renderWindowPngWithAudio,
} from "../../render/index.ts";
import { writeSpectrogramFile } from "../../spectrogram/index.ts";

function progressReporter(label: string): (done: number, total: number) => void {
  let last = -1;
  let lastLogged = -10;
  const tty = process.stderr.isTTY;
  return (done, total) => {
    const pct = total > 0 ? Math.floor((100 * done) / total) : 100;
    if (pct === last) return;
    last = pct;
    // On a terminal redraw one line; in logs print every 10 %.
    if (tty) process.stderr.write(`\r${label} ${pct}%${pct === 100 ? "\n" : ""}`);
    else if (Math.floor(pct / 10) !== Math.floor(lastLogged / 10)) {
      lastLogged = pct;
      process.stderr.write(`${label} ${pct}%\n`);
    }
  };
}

const number = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`${name} must be a number, got "${v}"`);
  return n;
};

export function register(program: Command): void {
  program
    .command("spectrogram")
    .description("compute the STFT spectrogram (n_fft 512, hop 128, dB) and write it to HDF5")
    .argument("<file>", "WAV file")
    .requiredOption("-o, --output <file.h5>", "HDF5 file to write")
    .option("--no-per-channel", "for multichannel files, write only the channel mean")
    .option("--level <1-9>", "deflate level", number("--level"), 1)
    .option("-q, --quiet", "no progress output")
    .action(
      async (file: string, opts: { output: string; perChannel: boolean; level: number; quiet?: boolean }) => {
        const started = performance.now();
        const summary = await writeSpectrogramFile(file, opts.output, {
          perChannel: opts.perChannel,
          level: opts.level,
          ...(opts.quiet ? {} : { onProgress: progressReporter("spectrogram") }),
        });
        const seconds = (performance.now() - started) / 1000;
        process.stdout.write(`${JSON.stringify({ ...summary, seconds: Number(seconds.toFixed(3)) })}\n`);
      },
    );

  program
    .command("render")
    .description(`render a window of an HDF5 spectrogram to PNG (colormaps: ${COLORMAP_NAMES.join(", ")})`)
    .argument("<file.h5>", "spectrogram written by the spectrogram command")
    .requiredOption("-o, --output <file.png>", "PNG to write")
    .option("--start <s>", "window start, seconds", number("--start"))
    .option("--end <s>", "window end, seconds", number("--end"))
    .option("--fmin <Hz>", "lowest frequency", number("--fmin"))
    .option("--fmax <Hz>", "highest frequency", number("--fmax"))
    .option("--channel <n|mix>", "channel (0-based) or mix", "mix")
    .option("--colormap <name>", "colormap", DEFAULT_COLORMAP)
    .option("--width <px>", "image width", number("--width"))
    .option("--height <px>", "image height", number("--height"))
    .option("--db-min <dB>", "bottom of the colour scale", number("--db-min"))
    .option("--db-max <dB>", "top of the colour scale", number("--db-max"))
    .option(
      "--wav <file.wav>",
      "the recording the file was made from: close-ups are drawn from it, every frame",
    )
    .action(async (file: string, o: Record<string, string | number | undefined>) => {
      const colormap = String(o.colormap);
      if (!isColormapName(colormap))
        throw new Error(`unknown colormap "${colormap}" (${COLORMAP_NAMES.join(", ")})`);
      const pick = <T>(k: string) => (o[k] === undefined ? {} : { [k]: o[k] as T });
      const { png, source } = await renderWindowPngWithAudio(
        file,
        o.wav === undefined ? undefined : String(o.wav),
        {
          ...pick<number>("start"),
          ...pick<number>("end"),
          ...pick<number>("fmin"),
          ...pick<number>("fmax"),
          channel: o.channel === "mix" ? "mix" : Number(o.channel),
        },
        {
          colormap,
          ...pick<number>("width"),
          ...pick<number>("height"),
          ...pick<number>("dbMin"),
          ...pick<number>("dbMax"),
        },
      );
      await writeFile(String(o.output), png);
      if (source === "h5-columns")
        process.stderr.write(
          "note: the file keeps the maximum of each group of frames; at this width pass --wav to draw every frame\n",
        );
    });
}
