// Digital Butterworth design as scipy.signal.butter(N, Wn, btype, fs=fs, output="sos") does it:
// analog prototype poles -> frequency transform (lp/hp/bp) on pre-warped edges -> bilinear transform
// -> second-order sections. The original BattyCoda segmenters used order 4 and causal sosfilt.
import { add, type C, c, div, mul, prod, scale, sqrt, sub } from "./complex.ts";

/** One biquad: b0 b1 b2 over 1 a1 a2 (a0 normalised to 1), like a row of scipy's sos array. */
export type Sos = [number, number, number, number, number, number];

export type FilterType = "lowpass" | "highpass" | "bandpass";

export interface ButterworthSpec {
  order: number;
  type: FilterType;
  /** Cutoff in Hz; [low, high] for band-pass. */
  cutoff: number | [number, number];
  sampleRate: number;
}

interface Zpk {
  z: C[];
  p: C[];
  k: number;
}

function prototype(n: number): Zpk {
  const p: C[] = [];
  for (let m = -n + 1; m < n; m += 2) {
    const ang = (Math.PI * m) / (2 * n);
    p.push(c(-Math.cos(ang), -Math.sin(ang)));
  }
  return { z: [], p, k: 1 };
}

function lp2lp({ z, p, k }: Zpk, wo: number): Zpk {
  const degree = p.length - z.length;
  return { z: z.map((v) => scale(v, wo)), p: p.map((v) => scale(v, wo)), k: k * wo ** degree };
}

function lp2hp({ z, p, k }: Zpk, wo: number): Zpk {
  const degree = p.length - z.length;
  const zh = z.map((v) => div(c(wo), v));
  const ph = p.map((v) => div(c(wo), v));
  for (let i = 0; i < degree; i++) zh.push(c(0));
  const ratio = div(prod(z.map((v) => scale(v, -1))), prod(p.map((v) => scale(v, -1))));
  return { z: zh, p: ph, k: k * ratio.re };
}

function lp2bp({ z, p, k }: Zpk, wo: number, bw: number): Zpk {
  const degree = p.length - z.length;
  const wo2 = c(wo * wo);
  const split = (xs: C[]): C[] => {
    const half = xs.map((v) => scale(v, bw / 2));
    const root = half.map((v) => sqrt(sub(mul(v, v), wo2)));
    return [...half.map((v, i) => add(v, root[i]!)), ...half.map((v, i) => sub(v, root[i]!))];
  };
  const zb = split(z);
  for (let i = 0; i < degree; i++) zb.push(c(0));
  return { z: zb, p: split(p), k: k * bw ** degree };
}

function bilinear({ z, p, k }: Zpk, fs: number): Zpk {
  const fs2 = c(2 * fs);
  const degree = p.length - z.length;
  const zz = z.map((v) => div(add(fs2, v), sub(fs2, v)));
  for (let i = 0; i < degree; i++) zz.push(c(-1));
  const pz = p.map((v) => div(add(fs2, v), sub(fs2, v)));
  const ratio = div(prod(z.map((v) => sub(fs2, v))), prod(p.map((v) => sub(fs2, v))));
  return { z: zz, p: pz, k: k * ratio.re };
}

/** Groups conjugate pole pairs with pairs of the (real) zeros into biquads; the gain goes on the first. */
function toSos({ z, p, k }: Zpk): Sos[] {
  const poles = [...p].sort((a, b) => a.im - b.im);
  const upper = poles.filter((v) => v.im > 1e-12);
  const reals = poles.filter((v) => Math.abs(v.im) <= 1e-12).map((v) => v.re);
  // Pair zeros at +1 with zeros at -1 where possible: each band-pass section then gets (1 - z^-2).
  const zr = z.map((v) => v.re).sort((a, b) => a - b);
  const zeroPairs: [number, number][] = [];
  while (zr.length >= 2) zeroPairs.push([zr.shift()!, zr.pop()!]);
  if (zr.length === 1) zeroPairs.push([zr[0]!, Number.NaN]);
  const sections: Sos[] = [];
  const poleSections: [number, number][] = upper.map((v) => [-2 * v.re, v.re * v.re + v.im * v.im]);
  for (let i = 0; i + 1 < reals.length; i += 2)
    poleSections.push([-(reals[i]! + reals[i + 1]!), reals[i]! * reals[i + 1]!]);
  if (reals.length % 2 === 1) poleSections.push([-reals[reals.length - 1]!, 0]);
  poleSections.forEach(([a1, a2], i) => {
    const [z1, z2] = zeroPairs[i] ?? [Number.NaN, Number.NaN];
    let b: [number, number, number];
    if (Number.isNaN(z1)) b = [1, 0, 0];
    else if (Number.isNaN(z2)) b = [1, -z1, 0];
    else b = [1, -(z1 + z2), z1 * z2];
    sections.push([b[0], b[1], b[2], 1, a1, a2]);
  });
  const first = sections[0]!;
  first[0] *= k;
  first[1] *= k;
  first[2] *= k;
  return sections;
}

export function butterworth(spec: ButterworthSpec): Sos[] {
  const { order, type, sampleRate } = spec;
  const nyq = sampleRate / 2;
  const edges = Array.isArray(spec.cutoff) ? spec.cutoff : [spec.cutoff];
  for (const e of edges) {
    if (!(e > 0 && e < nyq)) throw new RangeError(`Butterworth cutoff ${e} Hz must lie in (0, ${nyq}) Hz`);
  }
  // scipy designs on fs = 2 after normalising by Nyquist, pre-warping each edge with 2*fs*tan(pi*Wn/fs).
  const fs = 2;
  const warp = (hz: number): number => 2 * fs * Math.tan((Math.PI * (hz / nyq)) / fs);
  const proto = prototype(order);
  let analog: Zpk;
  if (type === "lowpass") analog = lp2lp(proto, warp(edges[0]!));
  else if (type === "highpass") analog = lp2hp(proto, warp(edges[0]!));
  else {
    if (edges.length !== 2 || !(edges[0]! < edges[1]!))
      throw new RangeError("band-pass needs [low, high] with low < high");
    const lo = warp(edges[0]!);
    const hi = warp(edges[1]!);
    analog = lp2bp(proto, Math.sqrt(lo * hi), hi - lo);
  }
  return toSos(bilinear(analog, fs));
}

/** |H(e^{j 2 pi f / fs})| of a cascade of biquads. */
export function sosMagnitude(sos: Sos[], freqHz: number, sampleRate: number): number {
  const w = (2 * Math.PI * freqHz) / sampleRate;
  const z1 = c(Math.cos(w), -Math.sin(w));
  const z2 = mul(z1, z1);
  let h = c(1);
  for (const [b0, b1, b2, a0, a1, a2] of sos) {
    const num = add(add(c(b0), scale(z1, b1)), scale(z2, b2));
    const den = add(add(c(a0), scale(z1, a1)), scale(z2, a2));
    h = mul(h, div(num, den));
  }
  return Math.hypot(h.re, h.im);
}
