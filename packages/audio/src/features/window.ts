// seewave's ftwindow(wl, wn = "hanning"): the symmetric Hann window 0.5 - 0.5*cos(2*pi*i/(wl-1)).
// (The spectrogram module uses the periodic Hann of librosa; warbleR needs this one to match.)
// One window per call length too (spec() windows the whole call): bounded like the FFT plans.
const MAX_WINDOWS = 32;
const cache = new Map<number, Float64Array>();

export function seewaveHann(n: number): Float64Array {
  let w = cache.get(n);
  if (w) {
    cache.delete(n);
    cache.set(n, w);
  } else {
    w = new Float64Array(n);
    if (n === 1) w[0] = 1;
    else for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1));
    cache.set(n, w);
    if (cache.size > MAX_WINDOWS) cache.delete(cache.keys().next().value as number);
  }
  return w;
}
