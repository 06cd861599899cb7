import { frameCount } from "../spectrogram/params.ts";
import {
  dcOffsetOf,
  readSpectrogramAttrs,
  readSpectrogramWindow,
  type SpectrogramFileAttrs,
  type SpectrogramWindowRequest,
  windowFrames,
} from "../spectrogram/read.ts";
import { readWavInfo } from "../wav/file.ts";
import { type BinaryOptions, encodeSpectrogramBinary } from "./binary.ts";
import { type RenderOptions, renderPng } from "./png.ts";
import { framesPerPixel } from "./scale.ts";
import { readWavSpectrogramWindow } from "./wav-window.ts";

/** HDF5 spectrogram file + time/frequency window → PNG (e.g. a call ± padding for the viewer). */
export async function renderWindowPng(
  h5Path: string,
  req: SpectrogramWindowRequest,
  options: RenderOptions = {},
): Promise<Buffer> {
  return renderPng(await readSpectrogramWindow(h5Path, req), options);
}

/** HDF5 spectrogram file + window → compact BCSG buffer for the browser canvas. */
export async function renderWindowBinary(
  h5Path: string,
  req: SpectrogramWindowRequest,
  options: BinaryOptions = {},
): Promise<Uint8Array> {
  const w = await readSpectrogramWindow(h5Path, req);
  return encodeSpectrogramBinary(
    w,
    { t0: w.t0, t1: w.t1, f0: w.f0, f1: w.f1, sampleRate: w.sampleRate },
    options,
  );
}

/**
 * True when a view of `columns` pixels across needs the file's every frame but the file keeps only the maximum of
 * each group of frames (frames_per_column > 1): such close-ups are computed from the audio instead
 * (readWavSpectrogramWindow with the file's dc_offset), which gives the frames the file was made from.
 */
export function closeUpNeedsAudio(
  attrs: Pick<SpectrogramFileAttrs, "framesPerColumn" | "nFrames" | "sampleRate" | "hopLength">,
  req: Pick<SpectrogramWindowRequest, "start" | "end">,
  columns: number,
): boolean {
  if (attrs.framesPerColumn <= 1) return false;
  const [fr0, fr1] = windowFrames(attrs.nFrames, attrs.sampleRate, attrs.hopLength, req);
  return framesPerPixel(fr1 - fr0, columns) < attrs.framesPerColumn;
}

/** Where a rendered window came from: the file, the audio (a close-up), or the file's column maxima for want of it. */
export type WindowSource = "h5" | "wav" | "h5-columns";

/**
 * A window of an HDF5 spectrogram drawn `options.width` pixels across, as the API draws it: a close-up of a file
 * keeping column maxima (closeUpNeedsAudio) comes from `wavPath`, the recording the file was made from, frame for
 * frame with the file's dc_offset. Without the WAV such a close-up is drawn from the column maxima ("h5-columns").
 */
export async function renderWindowPngWithAudio(
  h5Path: string,
  wavPath: string | undefined,
  req: SpectrogramWindowRequest,
  options: RenderOptions = {},
): Promise<{ png: Buffer; source: WindowSource }> {
  const attrs = await readSpectrogramAttrs(h5Path);
  // Without a width the picture has a pixel per stored column: never a close-up.
  const closeUp = options.width !== undefined && closeUpNeedsAudio(attrs, req, options.width);
  if (!closeUp || wavPath === undefined) {
    const png = renderPng(await readSpectrogramWindow(h5Path, req), options);
    return { png, source: closeUp ? "h5-columns" : "h5" };
  }
  const info = await readWavInfo(wavPath);
  if (info.sampleRate !== attrs.sampleRate || frameCount(info.frames, attrs.hopLength) !== attrs.nFrames)
    throw new Error(
      `${wavPath} is not the recording ${h5Path} was made from (${info.sampleRate} Hz, ${info.frames} samples; ` +
        `the file has ${attrs.sampleRate} Hz, ${attrs.nFrames} frames)`,
    );
  const window = await readWavSpectrogramWindow(wavPath, {
    ...req,
    dcOffset: dcOffsetOf(attrs, req.channel ?? "mix"),
  });
  return { png: renderPng(window, options), source: "wav" };
}
