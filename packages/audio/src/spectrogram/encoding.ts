// How a spectrogram HDF5 dataset stores its dB values. Two encodings are read:
//   "uint16-db" (written since issue 15): uint16 codes with attributes db_scale and db_offset,
//               dB = stored * db_scale + db_offset (db_scale 0.05 dB, db_offset -80 dB, the STFT's floor);
//   "float32-db" (older files): float32 dB, no db_scale attribute.
// Why 0.05 dB: the display (render/levels.ts) maps at least 30 dB onto 256 colour-map levels (0.118 dB per level)
// and sets its range from the window's maximum and a percentile of a 0.25 dB histogram. A step of 0.25/m dB (m odd)
// with code 0 at -80 dB puts every quantisation cell inside one histogram bin, so the percentile is unchanged, and
// a value and the maximum each move by at most half a step: 0.05 dB (m = 5) keeps every rendered pixel within one
// colour-map level of the float32 rendering with auto levels (>= 30 dB), and for fixed ranges of >= 6.4 dB, below
// the viewer's narrowest (10 dB). (1/12 dB, m = 3, is 2-20 % smaller but lets 10 dB ranges move 0.1 % of the pixels by
// two levels.) Noise spectrograms hold ~4.4 bits of entropy per value at 1 dB steps (log of an exponential
// variable), +log2(1/step) below that: about 9.5-10 bits per value at 0.05 dB after deflate, against ~27 for float32.
// Because that entropy cannot be coded away, today's files store a third of the values instead: each column is the
// maximum of 3 consecutive STFT frames (attribute frames_per_column). The display shrinks a window by taking maxima
// over whole groups of 3 frames (render/scale.ts framesPerPixel), so any view with 3 or more frames per pixel is the
// same from these columns as from every frame; closer views are computed from the audio (render/wav-window.ts, with
// the file's dc_offset), frame for frame. 0.05 dB codes of 3-frame maxima take ~18 MB per minute of synthetic 384 kHz
// audio and ~20 MB of real field recordings (1/12 dB codes of 2-frame maxima: 23 and 29 MB, over issue 15's 25 MB
// on field noise).
import { loadH5wasm } from "../hdf5/h5wasm.ts";
import { DB_FLOOR, SPECTROGRAM_FRAMES_PER_COLUMN } from "./params.ts";

export type SpectrogramEncoding = "uint16-db" | "float32-db";

/** Default step of the stored codes, dB. */
export const SPECTROGRAM_DB_SCALE = 0.05;
/** dB of code 0: the STFT's floor (20·log10(1e-4)), so no value is below it. */
export const SPECTROGRAM_DB_OFFSET = DB_FLOOR;

type Attrs = Record<string, { value: unknown } | undefined>;

export interface StoredEncoding {
  encoding: SpectrogramEncoding;
  /** dB per code (1 for float32 files, whose values are dB already). */
  scale: number;
  /** dB of code 0; also the floor: nothing is stored below it (0 for float32 files). */
  offset: number;
  /** STFT frames whose maximum each column holds (1 when the attribute is absent: every frame stored). */
  framesPerColumn: number;
}

/** The encoding of a dataset from its attributes (db_scale present = quantised). */
export function encodingOf(attrs: Attrs): StoredEncoding {
  const scale = attrs.db_scale?.value;
  const perColumn = attrs.frames_per_column?.value;
  const framesPerColumn = perColumn === undefined ? 1 : Math.max(1, Number(perColumn));
  if (scale === undefined) return { encoding: "float32-db", scale: 1, offset: 0, framesPerColumn };
  return {
    encoding: "uint16-db",
    scale: Number(scale),
    offset: Number(attrs.db_offset?.value ?? 0),
    framesPerColumn,
  };
}

/**
 * True for what the writer produces by default today. Anything else (float32 files, codes with another step,
 * floor or frames per column) is "legacy": generate-missing-hdf5 --rewrite-legacy rewrites it.
 */
export function isCurrentEncoding(e: StoredEncoding): boolean {
  return (
    e.encoding === "uint16-db" &&
    Math.abs(e.scale - SPECTROGRAM_DB_SCALE) < 1e-9 &&
    Math.abs(e.offset - SPECTROGRAM_DB_OFFSET) < 1e-9 &&
    e.framesPerColumn === SPECTROGRAM_FRAMES_PER_COLUMN
  );
}

/** dB values of stored codes: stored * scale + offset. */
export function decodeDb(raw: ArrayLike<number>, scale: number, offset: number): Float32Array {
  const out = new Float32Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw[i]! * scale + offset;
  return out;
}

/** The stored encoding of a file's /spectrogram. Throws when the file cannot be opened or has no spectrogram. */
export async function readSpectrogramEncoding(path: string): Promise<StoredEncoding> {
  const h5wasm = await loadH5wasm();
  const f = new h5wasm.File(path, "r");
  try {
    const ds = f.get("spectrogram") as unknown as { attrs: Attrs } | null;
    if (!ds) throw new Error(`${path} has no spectrogram dataset`);
    return encodingOf(ds.attrs);
  } finally {
    f.close();
  }
}

/**
 * True when the file is not in the current encoding (float32 dB, three times larger, or uint16 codes with another
 * step or floor), so a maintenance command can rewrite it. Throws like readSpectrogramEncoding.
 */
export async function isLegacySpectrogramFile(path: string): Promise<boolean> {
  return !isCurrentEncoding(await readSpectrogramEncoding(path));
}
