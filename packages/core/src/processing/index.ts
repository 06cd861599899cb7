// Background processing of recordings: the recording.ingest and spectrogram.generate job
// handlers (registered by apps/worker) and the worker's piscina pool.
export * from "./deps.ts";
export * from "./ingest.ts";
export * from "./metadata.ts";
export * from "./pool.ts";
export * from "./spectrogram.ts";
export * from "./status.ts";
export * from "./truncation.ts";
