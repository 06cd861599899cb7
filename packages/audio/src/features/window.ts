// seewave's ftwindow(wl, wn = "hanning"): the symmetric Hann window 0.5 - 0.5*cos(2*pi*i/(wl-1)).
// (The spectrogram module uses the periodic Hann of librosa; warbleR needs this one to match.)
const cache = new Map<number, Float64Array>();

export function seewaveHann(n: number): Float64Array {
  let w = cache.get(n);
  if (!w) {
    w = new Float64Array(n);
    if (n === 1) w[0] = 1;
    else for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1));
    cache.set(n, w);
  }
  return w;
}
