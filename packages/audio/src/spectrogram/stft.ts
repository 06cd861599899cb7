import { powerToDb } from "../dsp/db.ts";
import { RealFftPower } from "../dsp/fft-real.ts";
import { AMIN, DB_FLOOR, DEFAULT_STFT, frameCount, periodicHann, type StftParams } from "./params.ts";

/** A spectrogram or a block of one: dB values, frequency-major (data[bin * frames + frame]), like the HDF5 dataset. */
export interface SpectrogramBlock {
  /** Index of the first frame in the whole recording. */
  startFrame: number;
  frames: number;
  bins: number;
  data: Float32Array;
}

const POWER_FLOOR = AMIN * AMIN;

/** Turns frames into dB columns. One instance per thread of work: it owns scratch buffers. */
export class StftKernel {
  readonly params: StftParams;
  readonly bins: number;
  private readonly power: Float64Array;
  private readonly powerWords: Int32Array;
  private readonly fft: RealFftPower;

  constructor(params: StftParams = DEFAULT_STFT) {
    this.params = params;
    this.bins = params.nFft / 2 + 1;
    this.power = new Float64Array(this.bins);
    this.powerWords = new Int32Array(this.power.buffer);
    this.fft = new RealFftPower(params.nFft, periodicHann(params.nFft));
  }

  /**
   * dB spectrum of src[from .. from + nFft) into out[k * stride + column].
   * 20·log10(max(|X|, 1e-4)) is computed as 10·log10(max(|X|², 1e-8)): same value, no square root.
   */
  column(src: Float32Array, from: number, out: Float32Array, column: number, stride: number): void {
    this.fft.power(src, from, 0, this.bins - 1, this.power);
    powerToDb(this.power, this.powerWords, this.bins, POWER_FLOOR, DB_FLOOR, out, column, stride);
  }
}

/**
 * One-shot centred STFT of a whole signal: the reference the streamed version must equal.
 * Memory is O(signal + output).
 */
export function stft(samples: Float32Array, params: StftParams = DEFAULT_STFT): SpectrogramBlock {
  const kernel = new StftKernel(params);
  const { nFft, hop } = params;
  const padded = new Float32Array(samples.length + nFft);
  padded.set(samples, nFft / 2);
  const frames = frameCount(samples.length, hop);
  const data = new Float32Array(kernel.bins * frames);
  for (let t = 0; t < frames; t++) kernel.column(padded, t * hop, data, t, frames);
  return { startFrame: 0, frames, bins: kernel.bins, data };
}

/**
 * Centred STFT over a stream of sample blocks of any size, emitting fixed-size blocks of frames.
 * Holds at most one input block plus one frame of history, so memory does not depend on length.
 * Frames see exactly the same samples as in `stft`, so the output is bit-identical.
 */
export class StreamingStft {
  readonly params: StftParams;
  readonly blockFrames: number;
  private readonly kernel: StftKernel;
  /** Padded-signal samples starting at padded index `bufStart`. */
  private buf: Float32Array;
  private bufLen: number;
  private bufStart = 0;
  private nextFrame = 0;
  private received = 0;
  private block: Float32Array;
  private blockFill = 0;
  private finished = false;

  constructor(params: StftParams = DEFAULT_STFT, blockFrames = 2048) {
    this.params = params;
    this.blockFrames = blockFrames;
    this.kernel = new StftKernel(params);
    this.buf = new Float32Array(params.nFft * 4);
    this.bufLen = params.nFft / 2; // the left zero padding
    this.block = new Float32Array(this.kernel.bins * blockFrames);
  }

  get bins(): number {
    return this.kernel.bins;
  }

  /** Feeds samples; returns the blocks completed by them (each with its own buffer). */
  push(samples: Float32Array): SpectrogramBlock[] {
    const out: SpectrogramBlock[] = [];
    this.pushEach(samples, (b) => out.push(b), false);
    return out;
  }

  /** Flushes the right zero padding and the last partial block. */
  finish(): SpectrogramBlock[] {
    const out: SpectrogramBlock[] = [];
    this.finishEach((b) => out.push(b), false);
    return out;
  }

  /**
   * Like push, but hands each completed block to `onBlock` synchronously. With `reuse` (default)
   * the block's buffer is recycled after the callback returns: no garbage per block, which keeps
   * long jobs' memory flat. Copy the data if you need it later.
   */
  pushEach(samples: Float32Array, onBlock: (b: SpectrogramBlock) => void, reuse = true): void {
    if (this.finished) throw new Error("StreamingStft: push after finish");
    this.received += samples.length;
    this.append(samples, Number.POSITIVE_INFINITY, onBlock, reuse);
  }

  finishEach(onBlock: (b: SpectrogramBlock) => void, reuse = true): void {
    if (this.finished) return;
    this.finished = true;
    const total = frameCount(this.received, this.params.hop);
    this.append(new Float32Array(this.params.nFft / 2), total, onBlock, reuse);
    if (this.blockFill > 0) onBlock(this.takeBlock(reuse));
  }

  private append(
    samples: Float32Array,
    frameLimit: number,
    onBlock: (b: SpectrogramBlock) => void,
    reuse: boolean,
  ): void {
    const { nFft, hop } = this.params;
    // Drop history no future frame needs, then append.
    const keepFrom = this.nextFrame * hop - this.bufStart;
    if (keepFrom > 0) {
      this.buf.copyWithin(0, keepFrom, this.bufLen);
      this.bufLen -= keepFrom;
      this.bufStart += keepFrom;
    }
    if (this.bufLen + samples.length > this.buf.length) {
      const grown = new Float32Array(Math.max(this.bufLen + samples.length, this.buf.length * 2));
      grown.set(this.buf.subarray(0, this.bufLen));
      this.buf = grown;
    }
    this.buf.set(samples, this.bufLen);
    this.bufLen += samples.length;

    while (this.nextFrame < frameLimit) {
      const from = this.nextFrame * hop - this.bufStart;
      if (from + nFft > this.bufLen) break;
      this.kernel.column(this.buf, from, this.block, this.blockFill, this.blockFrames);
      this.nextFrame++;
      if (++this.blockFill === this.blockFrames) onBlock(this.takeBlock(reuse));
    }
  }

  private takeBlock(reuse: boolean): SpectrogramBlock {
    const frames = this.blockFill;
    const bins = this.kernel.bins;
    let data: Float32Array;
    if (frames === this.blockFrames) {
      data = this.block;
      if (!reuse) this.block = new Float32Array(bins * this.blockFrames);
    } else {
      // Partial last block: repack rows to the actual width.
      data = new Float32Array(bins * frames);
      for (let k = 0; k < bins; k++) {
        data.set(this.block.subarray(k * this.blockFrames, k * this.blockFrames + frames), k * frames);
      }
    }
    const block = { startFrame: this.nextFrame - frames, frames, bins, data };
    this.blockFill = 0;
    return block;
  }
}
