/**
 * Turns a stream of STFT blocks (frequency-major, any number of frames each) into columns that each hold the
 * maximum of `perColumn` consecutive frames, counted from the recording's first frame. A frame left over at the
 * end of a block waits for the next one; `finish` emits the last, shorter group.
 */
export class ColumnMax {
  private readonly bins: number;
  private readonly perColumn: number;
  /** Maximum so far of the group that the last block left unfinished, and how many frames it has. */
  private readonly carry: Float32Array;
  private carried = 0;
  private out: Float32Array = new Float32Array(0);

  constructor(bins: number, perColumn: number) {
    if (!Number.isInteger(perColumn) || perColumn < 1)
      throw new RangeError("perColumn must be a positive integer");
    this.bins = bins;
    this.perColumn = perColumn;
    this.carry = new Float32Array(bins);
  }

  /**
   * Adds `frames` frames (`data[bin * frames + frame]`) and calls `emit` with the columns they complete (same
   * layout; the buffer is reused by the next call).
   */
  push(data: Float32Array, frames: number, emit: (columns: Float32Array, count: number) => void): void {
    const { bins, perColumn } = this;
    if (perColumn === 1) {
      emit(data, frames);
      return;
    }
    const columns = Math.floor((this.carried + frames) / perColumn);
    const need = columns * bins;
    if (this.out.length < need) this.out = new Float32Array(need);
    const out = this.out;
    for (let k = 0; k < bins; k++) {
      const src = k * frames;
      let acc = this.carried > 0 ? this.carry[k]! : Number.NEGATIVE_INFINITY;
      let inGroup = this.carried;
      let col = 0;
      for (let t = 0; t < frames; t++) {
        const v = data[src + t]!;
        if (v > acc) acc = v;
        if (++inGroup === perColumn) {
          out[k * columns + col++] = acc;
          acc = Number.NEGATIVE_INFINITY;
          inGroup = 0;
        }
      }
      this.carry[k] = acc;
    }
    this.carried = (this.carried + frames) % perColumn;
    if (columns > 0) emit(out.subarray(0, need), columns);
  }

  /** Emits the unfinished last group, if any (a frame count that is not a multiple of perColumn). */
  finish(emit: (columns: Float32Array, count: number) => void): void {
    if (this.carried === 0) return;
    this.carried = 0;
    emit(this.carry, 1);
  }
}

/** Columns of a recording of `frames` STFT frames stored `perColumn` to a column. */
export function columnCount(frames: number, perColumn: number): number {
  return Math.ceil(frames / perColumn);
}
