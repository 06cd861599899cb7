// The reproducibility stamp: everything that produced a run's results, recorded once when the run
// starts (ClassificationRun.stamp), shown on the run page and at the top of every export, and
// turned into a paragraph a paper's methods section can quote.
import { FEATURE_EXTRACTOR_VERSION, FEATURE_NAMES, readSpectrogramAttrs } from "@battycoda/audio";
import type { PingResponse } from "@battycoda/r-client";
import { sha256OfModelKey } from "../classifiers/model-store.ts";
import type { MediaStore } from "../media/store.ts";

export interface RunStamp {
  stampVersion: 1;
  createdAt: string;
  recording: {
    id: string;
    name: string;
    sha256: string | null;
    sampleRate: number | null;
    channels: number | null;
    duration: number | null;
  };
  spectrogram: { nFft: number; hopLength: number; sampleRate: number } | null;
  segmentation: {
    id: string;
    name: string;
    source: string;
    algorithm: string | null;
    parameters: unknown;
    version: number;
    manuallyEdited: boolean;
    segments: number;
  };
  features: {
    extractor: string;
    version: string;
    channel: number;
    names: readonly string[];
  };
  classifier: {
    id: string | null;
    name: string;
    type: string;
    version: number | null;
    trainingDataHash: string | null;
    trainingRows: number | null;
    classes: string[] | null;
    trainedWith: unknown;
    /** sha256 of the model's bytes (absent in stamps of runs before models were content-addressed). */
    modelSha256?: string | null;
  };
  dummy: boolean;
  r: { version: string; packages: Record<string, string | null> } | null;
  /** Things a reader of the results should know (e.g. model classes the species does not have). */
  warnings: string[];
}

export interface StampInput {
  recording: {
    id: string;
    name: string;
    sha256: string | null;
    sampleRate: number | null;
    channels: number | null;
    duration: number | null;
    spectrogramPath: string | null;
  };
  segmentation: {
    id: string;
    name: string;
    source: string;
    parameters: unknown;
    version: number;
    manuallyEdited: boolean;
    algorithm: { key: string } | null;
  };
  segments: number;
  classifier: {
    id: string;
    name: string;
    type: string;
    version: number;
    trainingDataHash: string | null;
    trainingRows: number | null;
    classes: unknown;
    rInfo: unknown;
    modelPath?: string | null;
  } | null;
  isDummy: boolean;
  ping: PingResponse | null;
  media: MediaStore;
  /** The model's sha256 when known (a model stored before content-addressed keys has it only here). */
  modelSha256?: string | null;
}

/** The channel features are computed on by default: warbleR analyses channel 1, as the reference tables did. */
export const FEATURE_CHANNEL = 0;

/**
 * The channel a segmentation's calls are measured on: the one its detector ran on (a multichannel run records it as
 * `channelUsed`; microphones apart hear a call at different times, so another channel would hold it elsewhere), else
 * FEATURE_CHANNEL (mono files, imported and hand-made segmentations, runs before channelUsed).
 */
export function featureChannelOf(parameters: unknown): number {
  return channelUsedOf(parameters) ?? FEATURE_CHANNEL;
}

/** The channel a multichannel detection run recorded as `channelUsed`; null when it recorded none. */
export function channelUsedOf(parameters: unknown): number | null {
  const p = (parameters ?? {}) as { channelUsed?: unknown };
  return typeof p.channelUsed === "number" && Number.isInteger(p.channelUsed) && p.channelUsed >= 0
    ? p.channelUsed
    : null;
}

export async function buildStamp(input: StampInput): Promise<RunStamp> {
  const { recording: rec, segmentation: seg, classifier: c } = input;
  let spectrogram: RunStamp["spectrogram"] = null;
  if (rec.spectrogramPath) {
    try {
      // h5wasm reads files: on S3 this stages a copy for the three attributes (once per run).
      const a = await input.media.withLocalFile(rec.spectrogramPath, readSpectrogramAttrs);
      spectrogram = { nFft: a.nFft, hopLength: a.hopLength, sampleRate: a.sampleRate };
    } catch {
      // a missing/unreadable spectrogram does not affect classification; the stamp just lacks it
    }
  }
  const classes = Array.isArray(c?.classes) ? (c.classes as unknown[]).map(String) : null;
  return {
    stampVersion: 1,
    createdAt: new Date().toISOString(),
    recording: {
      id: rec.id,
      name: rec.name,
      sha256: rec.sha256,
      sampleRate: rec.sampleRate,
      channels: rec.channels,
      duration: rec.duration,
    },
    spectrogram,
    segmentation: {
      id: seg.id,
      name: seg.name,
      source: seg.source,
      algorithm: seg.algorithm?.key ?? null,
      parameters: seg.parameters,
      version: seg.version,
      manuallyEdited: seg.manuallyEdited,
      segments: input.segments,
    },
    features: {
      extractor: "BattyCoda port of warbleR spectro_analysis",
      version: FEATURE_EXTRACTOR_VERSION,
      channel: featureChannelOf(seg.parameters),
      names: FEATURE_NAMES,
    },
    classifier: {
      id: c?.id ?? null,
      name: c?.name ?? "Dummy classifier",
      type: input.isDummy ? "dummy" : (c?.type ?? "dummy"),
      version: c?.version ?? null,
      trainingDataHash: c?.trainingDataHash ?? null,
      trainingRows: c?.trainingRows ?? null,
      classes,
      trainedWith: c?.rInfo ?? null,
      modelSha256: input.isDummy
        ? null
        : (input.modelSha256 ?? (c?.modelPath ? sha256OfModelKey(c.modelPath) : null)),
    },
    dummy: input.isDummy,
    r: input.ping ? { version: input.ping.rVersion, packages: input.ping.packages } : null,
    warnings: [],
  };
}

export function isStamp(value: unknown): value is RunStamp {
  return (
    typeof value === "object" && value !== null && (value as { stampVersion?: unknown }).stampVersion === 1
  );
}

const TYPE_NAMES: Record<string, string> = {
  knn: "k-nearest-neighbour",
  lda: "linear discriminant analysis",
  rf: "random forest (ranger)",
  ensemble: "ensemble",
  dummy: "uniform (dummy)",
};

/**
 * "name = value" pairs for prose. A run stores `{ algorithm, params: {...} }`: nested objects are spelled out the
 * same way (as JSON they made one unbreakable 900-character word in the paragraph), and an unset value is the
 * detector's automatic choice (e.g. the band from the sample rate), which a reader must be told, not left to guess.
 */
function params(p: unknown): string {
  if (!p || typeof p !== "object") return "default parameters";
  const pairs = (o: object): string[] =>
    Object.entries(o).flatMap(([k, v]) =>
      v === undefined
        ? []
        : v === null
          ? [`${k} = automatic`]
          : typeof v === "object" && !Array.isArray(v)
            ? pairs(v)
            : [`${k} = ${Array.isArray(v) ? v.join("/") : String(v)}`],
    );
  const list = pairs(p);
  return list.length === 0 ? "default parameters" : list.join(", ");
}

/** A paragraph for a paper's methods section; every number comes from the stamp. */
export function methodsText(stamp: unknown): string {
  if (!isStamp(stamp))
    return "This run has not started yet, so nothing about how its results were produced is recorded.";
  const s = stamp;
  const rec = s.recording;
  const parts: string[] = [];
  const audio = [
    rec.sampleRate ? `sampled at ${rec.sampleRate} Hz` : null,
    rec.channels ? `${rec.channels} channel${rec.channels === 1 ? "" : "s"}` : null,
    rec.duration ? `${rec.duration.toFixed(2)} s` : null,
  ]
    .filter(Boolean)
    .join(", ");
  parts.push(
    `Calls in recording "${rec.name}"${audio ? ` (${audio})` : ""}${rec.sha256 ? `, SHA-256 ${rec.sha256}` : ""} were analysed with BattyCoda.`,
  );
  const seg = s.segmentation;
  parts.push(
    seg.source === "algorithm"
      ? `${seg.segments} call${seg.segments === 1 ? " was" : "s were"} detected with the ${seg.algorithm ?? "unknown"} segmentation algorithm (${params(seg.parameters)})${seg.manuallyEdited ? " and then edited by hand" : ""} (segmentation "${seg.name}", version ${seg.version}).`
      : `${seg.segments} call${seg.segments === 1 ? " was" : "s were"} ${seg.source === "import" ? "imported from an annotation file" : "marked by hand"} (segmentation "${seg.name}", version ${seg.version}).`,
  );
  if (s.spectrogram)
    parts.push(
      `Spectrograms were computed with an FFT size of ${s.spectrogram.nFft} and a hop of ${s.spectrogram.hopLength} samples.`,
    );
  parts.push(
    `For each call, ${s.features.names.length} acoustic features (${s.features.extractor}, extractor version ${s.features.version}) were measured on channel ${s.features.channel + 1}.`,
  );
  const c = s.classifier;
  if (s.dummy) {
    parts.push(
      "No trained classifier was used: every call type of the species was given the same probability (dummy classifier), so these results carry no information about call types.",
    );
  } else {
    const hash =
      (c.trainingDataHash ? `; training-data SHA-256 ${c.trainingDataHash}` : "") +
      (c.modelSha256 ? `; model SHA-256 ${c.modelSha256}` : "");
    const rows = c.trainingRows ? ` trained on ${c.trainingRows} labelled calls` : "";
    parts.push(
      `Call types were predicted with a ${TYPE_NAMES[c.type] ?? c.type} classifier ("${c.name}", version ${c.version ?? "?"}${rows}${hash})${c.classes ? ` over the classes ${c.classes.join(", ")}` : ""}, which gives a probability for every call type.`,
    );
  }
  if (s.r) {
    const pkgs = Object.entries(s.r.packages)
      .filter(([, v]) => v)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ");
    parts.push(`Models ran in R ${s.r.version}${pkgs ? ` (${pkgs})` : ""}.`);
  }
  if (s.warnings.length > 0) parts.push(`Notes: ${s.warnings.join("; ")}.`);
  return parts.join(" ");
}
