import { readSpectrogramWindow, type SpectrogramWindowRequest } from "../spectrogram/read.ts";
import { type BinaryOptions, encodeSpectrogramBinary } from "./binary.ts";
import { type RenderOptions, renderPng } from "./png.ts";

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
