// Moved to the shared DSP module (also used by the spectrogram STFT); re-exported for existing imports.
export { RealFftPower } from "../dsp/fft-real.ts";
