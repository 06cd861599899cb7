/**
 * The one decoder of the "BCSG" v1 spectrogram window (encoder: binary.ts). Browser-safe (no Node
 * APIs): the web app takes it from the package's browser entry, the server and tests from the main one.
 *
 *   0 "BCSG"  4 u16 version  6 u16 header bytes  8 u32 frames  12 u32 bins
 *   16 f32 dbMin  20 f32 dbMax  24 f64 t0  32 f64 t1  40 f64 f0  48 f64 f1  56 u32 sampleRate
 *   header… u8[bins × frames], rows from the highest frequency down.
 */
export interface BcsgWindow {
  frames: number;
  bins: number;
  dbMin: number;
  dbMax: number;
  /** Seconds of the first and last column (column centres). */
  t0: number;
  t1: number;
  /** Hz of the lowest and highest row (row centres). */
  f0: number;
  f1: number;
  sampleRate: number;
  /** Quantised dB (0 = dbMin, 255 = dbMax), highest-frequency row first. */
  values: Uint8Array;
}

const MAGIC = [0x42, 0x43, 0x53, 0x47]; // "BCSG"

export function decodeBcsg(input: ArrayBuffer | Uint8Array): BcsgWindow {
  const buf = input instanceof Uint8Array ? input : new Uint8Array(input);
  if (buf.length < 64 || MAGIC.some((b, i) => buf[i] !== b)) throw new Error("Not a BCSG spectrogram window");
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const version = v.getUint16(4, true);
  if (version !== 1) throw new Error(`Unsupported BCSG version ${version}`);
  const header = v.getUint16(6, true);
  const frames = v.getUint32(8, true);
  const bins = v.getUint32(12, true);
  if (buf.length < header + frames * bins) throw new Error("Truncated BCSG spectrogram window");
  return {
    frames,
    bins,
    dbMin: v.getFloat32(16, true),
    dbMax: v.getFloat32(20, true),
    t0: v.getFloat64(24, true),
    t1: v.getFloat64(32, true),
    f0: v.getFloat64(40, true),
    f1: v.getFloat64(48, true),
    sampleRate: v.getUint32(56, true),
    values: buf.subarray(header, header + frames * bins),
  };
}

/**
 * The time/frequency extent the window's pixels cover: column i is centred on
 * t0 + i·dt (dt = (t1 − t0)/(frames − 1)) and spans ±dt/2; rows likewise.
 */
export function windowExtent(w: BcsgWindow): {
  tStart: number;
  tEnd: number;
  fLow: number;
  fHigh: number;
} {
  const dt = w.frames > 1 ? (w.t1 - w.t0) / (w.frames - 1) : 0;
  const df = w.bins > 1 ? (w.f1 - w.f0) / (w.bins - 1) : 0;
  return {
    tStart: w.t0 - dt / 2,
    tEnd: w.t1 + dt / 2,
    fLow: Math.max(0, w.f0 - df / 2),
    fHigh: w.f1 + df / 2,
  };
}
