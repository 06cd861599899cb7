/**
 * Every way a WAV file can be unusable gets its own code, so callers (API, CLI, worker) can report the
 * actual problem to a researcher instead of a generic "invalid file".
 */
export type WavErrorCode =
  | "TOO_SHORT"
  | "NOT_RIFF"
  | "NOT_WAVE"
  | "BIG_ENDIAN"
  | "NO_FMT_CHUNK"
  | "BAD_FMT_CHUNK"
  | "NO_DATA_CHUNK"
  | "UNSUPPORTED_CODEC"
  | "UNSUPPORTED_BIT_DEPTH"
  | "ZERO_CHANNELS"
  | "BAD_SAMPLE_RATE"
  | "BAD_BLOCK_ALIGN"
  | "BAD_RANGE"
  | "TOO_MANY_CHUNKS"
  | "BAD_INPUT";

export class WavError extends Error {
  readonly code: WavErrorCode;
  constructor(code: WavErrorCode, message: string) {
    super(message);
    this.name = "WavError";
    this.code = code;
  }
}

/** Names for the compressed codecs bat detectors and phones have been seen writing. */
const CODEC_NAMES: Record<number, string> = {
  2: "Microsoft ADPCM",
  6: "A-law",
  7: "mu-law",
  17: "IMA ADPCM",
  49: "GSM 6.10",
  80: "MPEG",
  85: "MP3",
  255: "AAC",
  5648: "HE-AAC",
  8192: "AC-3",
  61868: "FLAC",
  26447: "Ogg Vorbis",
};

export function codecName(tag: number): string {
  return CODEC_NAMES[tag] ?? `format tag 0x${tag.toString(16).padStart(4, "0")}`;
}
