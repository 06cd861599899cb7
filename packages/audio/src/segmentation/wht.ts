// The spectral detector's first stage: per frame, the energies of the 8 bands of an 8-point Walsh-Hadamard
// transform (equivalently a depth-3 Haar wavelet packet: 8 sequency bands, each ~1/8 of the spectrum) of each
// 8-sample group, summed over the frame's groups. Unnormalised (every band is scaled alike); bands in natural
// Hadamard order, which does not matter for a max over bands. 3 butterfly stages and one square per sample, several
// times cheaper than the frame's FFT. Straight-line code (generated) so the butterflies and the 8 sums stay in
// registers.

/** Energies of the 8 Walsh-Hadamard bands of frame x[start .. start + n) (summed over its 8-sample groups) into out[at + band * stride]. */
export function wht8Bands(
  x: Float32Array | Float64Array,
  start: number,
  n: number,
  out: Float64Array,
  at: number,
  stride: number,
): void {
  let e0 = 0;
  let e1 = 0;
  let e2 = 0;
  let e3 = 0;
  let e4 = 0;
  let e5 = 0;
  let e6 = 0;
  let e7 = 0;
  for (let p = start, end = start + n; p < end; p += 8) {
    const a0 = x[p]!;
    const a1 = x[p + 1]!;
    const a2 = x[p + 2]!;
    const a3 = x[p + 3]!;
    const a4 = x[p + 4]!;
    const a5 = x[p + 5]!;
    const a6 = x[p + 6]!;
    const a7 = x[p + 7]!;
    const s0_0 = a0 + a4;
    const s0_4 = a0 - a4;
    const s0_1 = a1 + a5;
    const s0_5 = a1 - a5;
    const s0_2 = a2 + a6;
    const s0_6 = a2 - a6;
    const s0_3 = a3 + a7;
    const s0_7 = a3 - a7;
    const s1_0 = s0_0 + s0_2;
    const s1_2 = s0_0 - s0_2;
    const s1_1 = s0_1 + s0_3;
    const s1_3 = s0_1 - s0_3;
    const s1_4 = s0_4 + s0_6;
    const s1_6 = s0_4 - s0_6;
    const s1_5 = s0_5 + s0_7;
    const s1_7 = s0_5 - s0_7;
    const s2_0 = s1_0 + s1_1;
    const s2_1 = s1_0 - s1_1;
    const s2_2 = s1_2 + s1_3;
    const s2_3 = s1_2 - s1_3;
    const s2_4 = s1_4 + s1_5;
    const s2_5 = s1_4 - s1_5;
    const s2_6 = s1_6 + s1_7;
    const s2_7 = s1_6 - s1_7;
    e0 += s2_0 * s2_0;
    e1 += s2_1 * s2_1;
    e2 += s2_2 * s2_2;
    e3 += s2_3 * s2_3;
    e4 += s2_4 * s2_4;
    e5 += s2_5 * s2_5;
    e6 += s2_6 * s2_6;
    e7 += s2_7 * s2_7;
  }
  out[at] = e0;
  out[at + 1 * stride] = e1;
  out[at + 2 * stride] = e2;
  out[at + 3 * stride] = e3;
  out[at + 4 * stride] = e4;
  out[at + 5 * stride] = e5;
  out[at + 6 * stride] = e6;
  out[at + 7 * stride] = e7;
}
