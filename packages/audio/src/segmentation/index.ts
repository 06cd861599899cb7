import { DEFAULT_ALGORITHM, SEGMENTATION_ALGORITHMS } from "./algorithms.ts";
import { energySegment, ORIGINAL_DEFAULTS, type OriginalParams, thresholdSegment } from "./original.ts";
import { SPECTRAL_DEFAULTS, type SpectralParams, spectralBands, spectralSegment } from "./spectral.ts";
import type { FrequencyBox, ProgressCallback, Segment, SegmentParams } from "./types.ts";

export { DEFAULT_ALGORITHM, SEGMENTATION_ALGORITHMS } from "./algorithms.ts";
export { CALL_RULE_DEFAULTS, CALL_RULES_OFF, type CallRuleParams } from "./calls.ts";
export { CallChannelPicker, callChannel } from "./channel.ts";
export { type MatchResult, matchSegments } from "./match.ts";
export {
  PIECE_CONTEXT_SECONDS,
  PIECE_SECONDS,
  planPieces,
  type SegmentPiece,
  segmentInPieces,
  segmentWavInPieces,
  spectralPieces,
  type WavPiecesOptions,
} from "./pieces.ts";
export type {
  AlgorithmSpec,
  FrequencyBox,
  ParamSpec,
  ProgressCallback,
  Segment,
  SegmentParams,
} from "./types.ts";

export type SegmentationAlgorithm = "spectral" | "threshold" | "energy";

export interface SegmentOptions {
  algorithm?: SegmentationAlgorithm;
  /** Parameter overrides by name (see SEGMENTATION_ALGORITHMS); missing or undefined = default. */
  params?: SegmentParams;
  onProgress?: ProgressCallback;
}

function merge<T extends object>(defaults: T, params: SegmentParams | undefined, algorithm: string): T {
  const out = { ...defaults } as Record<string, unknown>;
  for (const [k, v] of Object.entries(params ?? {})) {
    if (!(k in defaults))
      throw new RangeError(`unknown parameter '${k}' for segmentation algorithm '${algorithm}'`);
    if (v === undefined) continue;
    if (v !== null && !Number.isFinite(v)) throw new RangeError(`parameter '${k}' must be a finite number`);
    out[k] = v;
  }
  return out as T;
}

/**
 * Detect calls in one channel (choose a channel or pass a mix for multichannel files). Pure and synchronous.
 * Segments are sorted and in seconds.
 */
export function segment(
  samples: Float32Array | Float64Array,
  sampleRate: number,
  opts: SegmentOptions = {},
): Segment[] {
  const algorithm = opts.algorithm ?? DEFAULT_ALGORITHM;
  if (!(sampleRate > 0)) throw new RangeError("sampleRate must be positive");
  switch (algorithm) {
    case "spectral":
      return spectralSegment(
        samples,
        sampleRate,
        merge<SpectralParams>(SPECTRAL_DEFAULTS, opts.params, algorithm),
        opts.onProgress,
      );
    case "threshold":
    case "energy": {
      const p = merge<OriginalParams>(ORIGINAL_DEFAULTS, opts.params, algorithm);
      opts.onProgress?.(0);
      const out =
        algorithm === "threshold"
          ? thresholdSegment(samples, sampleRate, p)
          : energySegment(samples, sampleRate, p);
      opts.onProgress?.(1);
      return out;
    }
    default:
      throw new RangeError(
        `unknown segmentation algorithm '${String(algorithm)}' (known: ${SEGMENTATION_ALGORITHMS.map((a) => a.name).join(", ")})`,
      );
  }
}

/**
 * The frequency box (Hz) of each span a user drew or moved, measured as the default detector measures the calls it
 * finds (see spectralBands); `samples` are the spans' surroundings, about a second around them. `params`: the spectral
 * detector's (a spectral run's own, so its band limits and release level hold). Null where no call stands out.
 */
export function measureBands(
  samples: Float32Array | Float64Array,
  sampleRate: number,
  spans: Segment[],
  params?: SegmentParams,
): (FrequencyBox | null)[] {
  if (!(sampleRate > 0)) throw new RangeError("sampleRate must be positive");
  return spectralBands(
    samples,
    sampleRate,
    spans,
    merge<SpectralParams>(SPECTRAL_DEFAULTS, params, "spectral"),
  );
}
