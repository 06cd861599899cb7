import { CALL_RULE_DEFAULTS } from "./calls.ts";
import { SPECTRAL_DEFAULTS } from "./spectral.ts";
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

// The spectral detector's call rules (calls.ts): what surrounds a call in a field recording and is not one.
// 0 switches a rule off; all off gives the detector as it was before them.
const callRuleParams: ParamSpec[] = [
  {
    name: "end_drop_db",
    label: "Call edges: below its peak",
    type: "number",
    default: CALL_RULE_DEFAULTS.end_drop_db,
    min: 0,
    max: 120,
    unit: "dB",
    help: "A call starts and ends where it is within this much of its own peak (or above the release threshold if that is higher), so reverberation does not extend it and a faint sound just before it is not glued to it. 0: edges at the release threshold.",
  },
  {
    name: "end_cliff_db",
    label: "Call end: sudden fall",
    type: "number",
    default: CALL_RULE_DEFAULTS.end_cliff_db,
    min: 0,
    max: 60,
    unit: "dB",
    help: "A call ends where its level falls this much at once (within a frame or two) and never comes back: what follows, within 'Call edges: below its peak', is its reverberation or an echo glued to it, and is left out of the segment (still compared by the echo rule). 0: off.",
  },
  {
    name: "start_follow",
    label: "Follow a call's faint start (1 = on)",
    type: "integer",
    default: CALL_RULE_DEFAULTS.start_follow,
    min: 0,
    max: 1,
    unit: "",
    help: "The top of an FM sweep is often 20-40 dB under the call's loudest part: frames before the edge whose sound touches the next frame's in frequency and is not louder belong to the call, which starts where that sound does.",
  },
  {
    name: "tail_rescan",
    label: "Look again beyond the edges (1 = on)",
    type: "integer",
    default: CALL_RULE_DEFAULTS.tail_rescan,
    min: 0,
    max: 1,
    unit: "",
    help: "What the edge rule cuts off (a loud call's reverberation) is searched again for calls of its own against its own spectrum: another bat's fainter call often sits there.",
  },
  {
    name: "echo_window_ms",
    label: "Echo delay up to",
    type: "number",
    default: CALL_RULE_DEFAULTS.echo_window_ms,
    min: 0,
    max: 500,
    unit: "ms",
    help: "Echoes are looked for up to this delay after a call (25 ms is a reflector about 4 m away). 0: keep echoes.",
  },
  {
    name: "echo_drop_db",
    label: "Echo weaker by at least",
    type: "number",
    default: CALL_RULE_DEFAULTS.echo_drop_db,
    min: 0,
    max: 120,
    unit: "dB",
    help: "How much weaker (peak above noise) than the earlier call an echo must be; calls of similar level are never echoes.",
  },
  {
    name: "echo_match_pct",
    label: "Echo shape match (%)",
    type: "number",
    default: CALL_RULE_DEFAULTS.echo_match_pct,
    min: 0,
    max: 100,
    unit: "",
    help: "An echo is a weaker, delayed copy: its time-frequency picture must match the call's, shifted by some delay and lowered, at least this well (cosine similarity), and hold nothing loud the copy does not explain. Another bat's call with a different contour, band or duration scores lower and is kept.",
  },
  {
    name: "echo_freq_pct",
    label: "Echo frequency tolerance (%)",
    type: "number",
    default: CALL_RULE_DEFAULTS.echo_freq_pct,
    min: 0,
    max: 100,
    unit: "",
    help: "An echo's frequencies may differ from the call's by this much (Doppler shift of a flying bat; at least one frequency bin).",
  },
  {
    name: "echo_gap_db",
    label: "Echo: copy missing around it by",
    type: "number",
    default: CALL_RULE_DEFAULTS.echo_gap_db,
    min: 0,
    max: 60,
    unit: "dB",
    help: "An echo is as long as its call: a copy at a delay that would have begun before the candidate (in the quiet after the call) or gone on after it, where the recording there is this much weaker than the copy in the candidate's own frequencies, does not explain the candidate (another bat's call that resembles part of the call is kept). 0: off.",
  },
  {
    name: "local_floor_ms",
    label: "Stand out of surroundings within",
    type: "number",
    default: CALL_RULE_DEFAULTS.local_floor_ms,
    min: 0,
    max: 1000,
    unit: "ms",
    help: "A call must also reach the detection threshold over the recording in this time before it (per frequency, its median), and its edges are where it rises out of it: a loud call's long reverberation (vegetation, a constant-frequency bat's tone smeared for 100 ms) otherwise yields detections in the smear and widens calls inside it. 0: off.",
  },
  {
    name: "blip_max_ms",
    label: "Blip: shorter than",
    type: "number",
    default: CALL_RULE_DEFAULTS.blip_max_ms,
    min: 0,
    max: 100,
    unit: "ms",
    help: "Detections shorter than this are checked for being clicks (see 'Blip: band covered'). 0: keep all.",
  },
  {
    name: "blip_band_pct",
    label: "Blip: band covered (%)",
    type: "number",
    default: CALL_RULE_DEFAULTS.blip_band_pct,
    min: 1,
    max: 100,
    unit: "",
    help: "A short detection whose loudest frame has energy (within 20 dB of its peak) over at least this share of the band is a click, not a call.",
  },
  {
    name: "blip_flat_db",
    label: "Blip: flat within",
    type: "number",
    default: CALL_RULE_DEFAULTS.blip_flat_db,
    min: 0,
    max: 40,
    unit: "dB",
    help: "A short detection whose loudest frame's median bin is within this many dB of its peak (energy spread over the whole band, as a faint click's) is a click, not a call. 0 = off.",
  },
  {
    name: "fragment_gap_pct",
    label: "Join fragments: gap (%)",
    type: "number",
    default: CALL_RULE_DEFAULTS.fragment_gap_pct,
    min: 0,
    max: 200,
    unit: "",
    help: "Two detections separated by less than this percentage of their summed duration are one call with a weak middle when the second continues the first's frequency contour at about its level (and is no echo of it). 0: never join.",
  },
  {
    name: "fragment_gap_max_ms",
    label: "Join fragments: gap at most",
    type: "number",
    default: CALL_RULE_DEFAULTS.fragment_gap_max_ms,
    min: 0,
    max: 100,
    unit: "ms",
    help: "Upper limit of the fragment gap, whatever the calls' durations.",
  },
  {
    name: "low_edge_reject",
    label: "Drop low-edge noise (1 = on)",
    type: "integer",
    default: CALL_RULE_DEFAULTS.low_edge_reject,
    min: 0,
    max: 1,
    unit: "",
    help: "Drop detections whose energy comes up from the bottom of the band (see 'Low-edge noise: within'): wind or handling noise below the band leaking in.",
  },
  {
    name: "low_edge_db",
    label: "Low-edge noise: within",
    type: "number",
    default: CALL_RULE_DEFAULTS.low_edge_db,
    min: 0,
    max: 60,
    unit: "dB",
    help: "A detection is low-frequency noise when, at its loudest, the band's lowest frequency is within this of its loudest frequency, every frequency in between is lit too (a call over wind has quiet frequencies between them), and it stays there most of the time (a sweep down to the band's bottom does not). Needs 16 or more frequency bins in the band (not at 44.1-48 kHz). 0: only when the lowest frequency is the loudest.",
  },
  {
    name: "burst_rescan",
    label: "Look inside long bursts (1 = on)",
    type: "integer",
    default: SPECTRAL_DEFAULTS.burst_rescan,
    min: 0,
    max: 1,
    unit: "",
    help: "Detections longer than the maximum duration (wind gusts, rain) are re-examined against a floor that follows them (per frequency, the median of the 200 ms around each moment), keeping the calls that stand 1.5 dB beyond the threshold over it, instead of being dropped whole.",
  },
  {
    name: "occupied_floor",
    label: "Floor under constant-frequency calls (1 = on)",
    type: "integer",
    default: SPECTRAL_DEFAULTS.occupied_floor,
    min: 0,
    max: 1,
    unit: "",
    help: "Where sound fills a frequency most of the time (horseshoe or leaf-nosed bats calling, often two at once), the usual floor, the median over about a second, is the calls' own level and hides the fainter ones. There the floor is the level of that frequency's quiet moments instead. A steady tone (an insect, a device) has no quiet moments and keeps its floor.",
  },
  {
    name: "tone_join",
    label: "Join the pieces of a faint tone (1 = on)",
    type: "integer",
    default: SPECTRAL_DEFAULTS.tone_join,
    min: 0,
    max: 1,
    unit: "",
    help: "A faint constant-frequency or long quasi-constant call crosses the threshold only in pieces. A faint detection (under release + end drop) goes on either side while its frequency holds a line: the median over 3 ms stays 5 dB over the floor, 6 dB over the frequencies a few bins away, and no more than the echo drop under the detection's own level (its echoes are not followed). It stops short of a louder detection or one at another frequency, and a faint tone within 150 ms after a louder call at its frequency is taken for that call's reverberation and left as it is.",
  },
];

export const DEFAULT_ALGORITHM = "spectral";

// Sections of the spectral detector's run form: 25 parameters in one grid hid the few a researcher changes
// (threshold, durations, band) among the call rules, which stay visible with their defaults.
const SPECTRAL_GROUPS: Record<string, readonly string[]> = {
  Detection: [
    "threshold_db",
    "release_db",
    "min_duration_ms",
    "max_duration_ms",
    "merge_gap_ms",
    "low_hz",
    "high_hz",
    "frame_ms",
  ],
  "Call edges": ["end_drop_db", "end_cliff_db", "start_follow", "tail_rescan"],
  Echoes: ["echo_window_ms", "echo_drop_db", "echo_match_pct", "echo_freq_pct", "echo_gap_db"],
  "Clicks and split calls": [
    "blip_max_ms",
    "blip_band_pct",
    "blip_flat_db",
    "fragment_gap_pct",
    "fragment_gap_max_ms",
  ],
  "Noise, reverberation and constant-frequency calls": [
    "local_floor_ms",
    "low_edge_reject",
    "low_edge_db",
    "burst_rescan",
    "occupied_floor",
    "tone_join",
  ],
};

/** The params in section order, each with its section; a parameter missing from `groups` is a programming error. */
function grouped(params: ParamSpec[], groups: Record<string, readonly string[]>): ParamSpec[] {
  const byName = new Map(params.map((p) => [p.name, p]));
  const out = Object.entries(groups).flatMap(([group, names]) =>
    names.map((name) => {
      const p = byName.get(name);
      if (!p) throw new Error(`parameter group '${group}' names unknown parameter '${name}'`);
      byName.delete(name);
      return { ...p, group };
    }),
  );
  if (byName.size) throw new Error(`parameters without a group: ${[...byName.keys()].join(", ")}`);
  return out;
}

/** Every segmentation algorithm with its parameters and defaults, for building forms. */
export const SEGMENTATION_ALGORITHMS: readonly AlgorithmSpec[] = [
  {
    name: "spectral",
    label: "Spectral (default)",
    description:
      "Band-limited spectral peak energy against a running noise floor, with hysteresis and gap merging; " +
      "echoes, reverberation tails, clicks, low-frequency noise and split calls are handled by the call rules below. " +
      "Works out of the box at 192-500 kHz for calls of 0.5-60 ms, and at lower rates for audible calls.",
    params: grouped(
      [
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
          help: "Lower edge of the analysed band. Empty: min(8 kHz, 10 % of Nyquist), so that bats calling down to ~9.5 kHz (free-tailed bats, the greater noctule) are in it; raise it against birds, insects or wind below your species.",
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
          help: "Analysis frame, rounded up to a power of two in samples (0.5 ms suits bat calls; longer for slow calls).",
        },
        ...callRuleParams,
      ],
      SPECTRAL_GROUPS,
    ),
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
