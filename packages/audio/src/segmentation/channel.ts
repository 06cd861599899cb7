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

/** The frame length of the channel scores (samples). */
export function channelFrame(sampleRate: number): number {
  return Math.max(16, 2 ** Math.ceil(Math.log2(FRAME_S * sampleRate)));
}

/** High-passed power (a first difference) of each whole frame of n samples. */
function framePowers(x: Float32Array | Float64Array, n: number): Float64Array {
  const frames = Math.floor(x.length / n);
  const power = new Float64Array(frames);
  for (let f = 0; f < frames; f++) {
    let e = 0;
    for (let i = f * n + 1, end = (f + 1) * n; i < end; i++) {
      const d = x[i]! - x[i - 1]!;
      e += d * d;
    }
    power[f] = e;
  }
  return power;
}

/** How far a channel's loudest frames stand above its median frame (sorts `power`). */
function standOut(power: Float64Array): number {
  const frames = power.length;
  if (frames < 1) return Number.NaN;
  power.sort();
  const top = Math.max(Math.min(TOP_MIN, frames), Math.ceil(TOP_SHARE * frames));
  let loud = 0;
  for (let f = frames - top; f < frames; f++) loud += power[f]!;
  loud /= top;
  const median = power[Math.floor((frames - 1) / 2)]!;
  return !(loud > 0) ? Number.NEGATIVE_INFINITY : median > 0 ? loud / median : Number.POSITIVE_INFINITY;
}

function best(scores: number[]): number {
  let at = 0;
  let top = Number.NEGATIVE_INFINITY;
  scores.forEach((score, c) => {
    if (score > top) {
      at = c;
      top = score;
    }
  });
  return at;
}

/**
 * Index of the channel whose loudest frames stand furthest above its median frame, in high-passed power (a first
 * difference: ultrasound passes, wind and hum are 20 dB or more down), over the whole recording in one cheap pass per
 * channel. 0 for a single channel; a silent channel is never picked over one with sound.
 */
export function callChannel(channels: readonly (Float32Array | Float64Array)[], sampleRate: number): number {
  if (channels.length <= 1) return 0;
  const n = channelFrame(sampleRate);
  return best(channels.map((x) => standOut(framePowers(x, n))));
}

/**
 * callChannel over a recording read a stretch at a time (a long one): `add` the consecutive stretches of every channel
 * (each a whole number of channelFrame samples, except the last), then `pick`. Keeps one number per frame and channel.
 */
export class CallChannelPicker {
  private readonly n: number;
  private readonly parts: Float64Array[][];

  constructor(channelCount: number, sampleRate: number) {
    this.n = channelFrame(sampleRate);
    this.parts = Array.from({ length: channelCount }, () => []);
  }

  add(channels: readonly (Float32Array | Float64Array)[]): void {
    channels.forEach((x, c) => {
      this.parts[c]?.push(framePowers(x, this.n));
    });
  }

  pick(): number {
    if (this.parts.length <= 1) return 0;
    return best(
      this.parts.map((parts) => {
        const all = new Float64Array(parts.reduce((k, p) => k + p.length, 0));
        let at = 0;
        for (const p of parts) {
          all.set(p, at);
          at += p.length;
        }
        return standOut(all);
      }),
    );
  }
}
