// Filled in by the spectrogram/render/pool work; kept so the package index resolves.
export {};
