import type { AlgorithmSpec, ParamSpec } from "./types.ts";

const filterParams: ParamSpec[] = [
  {
    name: "low_hz",
    label: "High-pass from",
    type: "number",
    default: null,
    min: 0,
    unit: "Hz",
    help: "Order-4 Butterworth high-pass edge (band-pass together with 'Low-pass to'). Empty: no filter.",
  },
  {
    name: "high_hz",
    label: "Low-pass to",
    type: "number",
    default: null,
    min: 0,
    unit: "Hz",
    help: "Order-4 Butterworth low-pass edge, clipped to Nyquist - 1 Hz. Empty: no filter.",
  },
];

const originalParams: ParamSpec[] = [
  {
    name: "min_duration_ms",
    label: "Minimum duration",
    type: "number",
    default: 10,
    min: 0,
    unit: "ms",
    help: "Detections shorter than this are discarded.",
  },
  {
    name: "smooth_window",
    label: "Smoothing window",
    type: "integer",
    default: 3,
    min: 1,
    unit: "samples",
    help: "Length of the moving average applied before thresholding, in samples (as in the original).",
  },
  {
    name: "threshold_factor",
    label: "Threshold factor",
    type: "number",
    default: 0.5,
    min: 0,
    max: 20,
    unit: "",
    help: "Threshold = mean + factor x standard deviation of the smoothed signal.",
  },
  ...filterParams,
];

export const DEFAULT_ALGORITHM = "spectral";

/** Every segmentation algorithm with its parameters and defaults, for building forms. */
export const SEGMENTATION_ALGORITHMS: readonly AlgorithmSpec[] = [
  {
    name: "spectral",
    label: "Spectral (default)",
    description:
      "Band-limited spectral peak energy against a running noise floor, with hysteresis and gap merging. " +
      "Works out of the box at 192-500 kHz for calls of 0.5-60 ms, and at lower rates for audible calls.",
    params: [
      {
        name: "threshold_db",
        label: "Detection threshold",
        type: "number",
        default: 12,
        min: 3,
        max: 60,
        unit: "dB",
        help: "A call starts where the loudest in-band frequency rises this far above its noise floor.",
      },
      {
        name: "release_db",
        label: "Release threshold",
        type: "number",
        default: 8,
        min: 0,
        max: 60,
        unit: "dB",
        help: "A call continues while it stays this far above the noise floor (hysteresis; <= detection threshold).",
      },
      {
        name: "min_duration_ms",
        label: "Minimum duration",
        type: "number",
        default: 0.5,
        min: 0,
        unit: "ms",
        help: "Shorter detections are discarded (detections of a 0.5 ms call span about 0.8 ms).",
      },
      {
        name: "max_duration_ms",
        label: "Maximum duration",
        type: "number",
        default: 150,
        min: 1,
        unit: "ms",
        help: "Longer detections (usually noise bursts) are discarded.",
      },
      {
        name: "merge_gap_ms",
        label: "Merge gaps under",
        type: "number",
        default: 1,
        min: 0,
        unit: "ms",
        help: "Detections separated by less than this are merged into one.",
      },
      {
        name: "low_hz",
        label: "Band from",
        type: "number",
        default: null,
        min: 0,
        unit: "Hz",
        help: "Lower edge of the analysed band. Empty: min(15 kHz, 10 % of Nyquist).",
      },
      {
        name: "high_hz",
        label: "Band to",
        type: "number",
        default: null,
        min: 0,
        unit: "Hz",
        help: "Upper edge of the analysed band. Empty: 95 % of Nyquist.",
      },
      {
        name: "frame_ms",
        label: "Frame length",
        type: "number",
        default: 0.5,
        min: 0.05,
        max: 20,
        unit: "ms",
        help: "Analysis frame, rounded to a power of two in samples (0.5 ms suits bat calls; longer for slow calls).",
      },
    ],
  },
  {
    name: "threshold",
    label: "Amplitude threshold (original)",
    description:
      "The original BattyCoda method: |signal| smoothed by a moving average, thresholded at mean + factor x std.",
    params: originalParams,
  },
  {
    name: "energy",
    label: "Short-time energy (original)",
    description:
      "The original BattyCoda energy method: 0.4 ms frame energy, smoothed and thresholded like 'threshold'.",
    params: originalParams,
  },
];
