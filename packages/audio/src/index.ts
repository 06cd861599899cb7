// Public surface of the DSP package. No database or network I/O lives here.

export * from "./features/index.ts";
export * from "./pool/index.ts";
export * from "./render/index.ts";
export * from "./segmentation/index.ts";
export * from "./spectrogram/index.ts";
export * from "./wav/index.ts";
