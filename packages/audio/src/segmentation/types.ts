/** A detected or annotated call, in seconds from the start of the recording. */
export interface Segment {
  onset: number;
  offset: number;
  /** Its main harmonic's band, Hz, where the detector measures one (the default spectral detector does). */
  lowFreq?: number;
  highFreq?: number;
}

/** A call's frequency box (its main harmonic's band), Hz. */
export interface FrequencyBox {
  lowFreq: number;
  highFreq: number;
}

/** Called with a fraction in [0, 1] as a long input is processed. */
export type ProgressCallback = (fraction: number) => void;

/** Plain description of one algorithm parameter, enough for a UI to build a form (no zod here on purpose). */
export interface ParamSpec {
  name: string;
  label: string;
  type: "number" | "integer";
  /** null = not set (e.g. no filter); for "auto" parameters the effective value depends on the sample rate. */
  default: number | null;
  min?: number;
  max?: number;
  unit?: "ms" | "Hz" | "dB" | "samples" | "";
  help: string;
  /** Section of the run form this parameter belongs to (forms list sections in order of first appearance). */
  group?: string;
}

export interface AlgorithmSpec {
  name: string;
  label: string;
  description: string;
  params: ParamSpec[];
}

export type SegmentParams = Record<string, number | null | undefined>;
