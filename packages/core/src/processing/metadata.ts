import type { WavInfo } from "@battycoda/audio";
import type { Prisma } from "@battycoda/db";

/** Keys of Recording.metadata that ingest owns (rewritten on every run); others are kept. */
export interface IngestedMetadata {
  /** GUANO fields as parsed (`key: value`; vendor keys keep their `Vendor|` prefix). */
  guano?: Record<string, string>;
  guanoVersion?: string;
  /** Wildlife Acoustics `wamd` text fields (model, serial, firmware, startTime, ...). */
  wamd?: Record<string, string>;
  /** LIST/INFO sub-chunks by id (INAM, ICMT, ...). */
  info?: Record<string, string>;
  bext?: Record<string, unknown>;
  wav: {
    container: "RIFF" | "RF64";
    bitsPerSample: number;
    validBitsPerSample: number;
    extensible: boolean;
    channelMask: number | null;
    frames: number;
    dataBytes: number;
    chunks: string[];
    /** The file is time-expanded by this factor (GUANO TE): its header's rate is sampleRate / timeExpansion. */
    timeExpansion?: number;
  };
  /** Non-fatal oddities found while parsing (truncated data, bad sizes, ...). */
  warnings: string[];
}

export function ingestedMetadata(info: WavInfo): IngestedMetadata {
  const m = info.metadata;
  return {
    ...(m.guano ? { guano: m.guano.fields } : {}),
    ...(m.guano?.version ? { guanoVersion: m.guano.version } : {}),
    ...(m.wamd ? { wamd: m.wamd.fields } : {}),
    ...(m.info ? { info: m.info } : {}),
    ...(m.bext ? { bext: { ...m.bext } } : {}),
    wav: {
      container: info.container,
      bitsPerSample: info.bitsPerSample,
      validBitsPerSample: info.validBitsPerSample,
      extensible: info.extensible,
      channelMask: info.channelMask ?? null,
      frames: info.frames,
      dataBytes: info.dataBytes,
      chunks: m.chunks.map((c) => c.id),
      ...(info.timeExpansion ? { timeExpansion: info.timeExpansion } : {}),
    },
    warnings: [...info.warnings],
  };
}

/** Keeps whatever else the row's metadata held (e.g. from the upload form) beside the ingested keys. */
export function mergeMetadata(existing: unknown, ingested: object): Prisma.InputJsonObject {
  const base =
    existing && typeof existing === "object" && !Array.isArray(existing)
      ? (existing as Record<string, unknown>)
      : {};
  return JSON.parse(JSON.stringify({ ...base, ...ingested })) as Prisma.InputJsonObject;
}

/**
 * GUANO `Timestamp` (ISO 8601, e.g. `2024-06-01T21:34:05.123+02:00`). The spec allows omitting
 * the UTC offset ("local time"); we cannot know the site's zone then and read it as UTC.
 */
export function parseGuanoTimestamp(value: string | undefined): Date | null {
  if (!value) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(
    value.trim(),
  );
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, tz] = m;
  const ms = frac ? Math.round(Number(`0.${frac}`) * 1000) : 0;
  let t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  if (tz && tz.toUpperCase() !== "Z") {
    const sign = tz.startsWith("-") ? -1 : 1;
    const digits = tz.slice(1).replace(":", "");
    t -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  const date = new Date(t);
  // Date.UTC rolls invalid fields over (month 13 → next year); reject instead.
  if (Number.isNaN(t) || Number(mo) < 1 || Number(mo) > 12 || Number(d) < 1 || Number(d) > 31) return null;
  return date;
}
