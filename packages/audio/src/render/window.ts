import {
  readSpectrogramWindow,
  type SpectrogramFileAttrs,
  type SpectrogramWindowRequest,
  windowFrames,
} from "../spectrogram/read.ts";
import { type BinaryOptions, encodeSpectrogramBinary } from "./binary.ts";
import { type RenderOptions, renderPng } from "./png.ts";
import { framesPerPixel } from "./scale.ts";

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
