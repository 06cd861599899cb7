// The original BattyCoda extraction settings, chosen per call from the sample rate and call length
// (see shared/data/README.md "Original extraction settings").

export interface WarblerSettings {
  /** Window length in samples (may be odd after the quarter-of-the-call cap; warbleR accepts that). */
  wl: number;
  /** Band limits in kHz as passed to spectro_analysis (warbleR clips the top to floor(sr/2000) itself). */
  bp: [number, number];
  /** Amplitude threshold in percent. */
  threshold: number;
}

export function warblerSettings(sampleRate: number, nSamples: number): WarblerSettings {
  const dur = nSamples / sampleRate;
  let wl: number;
  let bp: [number, number];
  let threshold: number;
  if (sampleRate >= 150_000) {
    wl = dur >= 0.1 ? 1024 : dur >= 0.05 ? 512 : 256;
    bp = [1, 95];
    threshold = 10;
  } else if (sampleRate >= 80_000) {
    wl = 512;
    bp = [1, (0.95 * sampleRate) / 2 / 1000];
    threshold = 12;
  } else {
    wl = 128;
    bp = [9, 200];
    threshold = 15;
  }
  if (wl > nSamples / 4) wl = Math.max(50, Math.floor(nSamples / 4));
  return { wl, bp, threshold };
}
