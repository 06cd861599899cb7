// The channel of a multichannel recording that calls are detected in by default. The channels' mean is a poor input:
// microphones a metre or more apart hear each call at different times, so the mean holds every call twice at half
// level (an equal copy a few ms later, which is neither an echo nor a call of its own), with comb filtering where the
// copies overlap; and a dead or unplugged microphone halves every call. One channel has neither problem: the one where
// calls stand out most from its own background.

/** Frames of about the detector's length (the power of two at or above 0.5 ms). */
const FRAME_S = 0.0005;
/** Share of frames taken as the calls' level: calls are often sparse (ten 5 ms calls in a minute fill 0.1 %). */
const TOP_SHARE = 0.001;
/** At least this many frames make that level. */
const TOP_MIN = 4;

/**
 * Index of the channel whose loudest frames stand furthest above its median frame, in high-passed power (a first
 * difference: ultrasound passes, wind and hum are 20 dB or more down), over the whole recording in one cheap pass per
 * channel. 0 for a single channel; a silent channel is never picked over one with sound.
 */
export function callChannel(channels: readonly (Float32Array | Float64Array)[], sampleRate: number): number {
  if (channels.length <= 1) return 0;
  const n = Math.max(16, 2 ** Math.ceil(Math.log2(FRAME_S * sampleRate)));
  let best = 0;
  let bestScore = Number.NEGATIVE_INFINITY;
  channels.forEach((x, c) => {
    const frames = Math.floor(x.length / n);
    if (frames < 1) return;
    const power = new Float64Array(frames);
    for (let f = 0; f < frames; f++) {
      let e = 0;
      for (let i = f * n + 1, end = (f + 1) * n; i < end; i++) {
        const d = x[i]! - x[i - 1]!;
        e += d * d;
      }
      power[f] = e;
    }
    power.sort();
    const top = Math.max(Math.min(TOP_MIN, frames), Math.ceil(TOP_SHARE * frames));
    let loud = 0;
    for (let f = frames - top; f < frames; f++) loud += power[f]!;
    loud /= top;
    const median = power[Math.floor((frames - 1) / 2)]!;
    const score = !(loud > 0)
      ? Number.NEGATIVE_INFINITY
      : median > 0
        ? loud / median
        : Number.POSITIVE_INFINITY;
    if (score > bestScore) {
      best = c;
      bestScore = score;
    }
  });
  return best;
}
