/** GUANO metadata (https://github.com/riggsd/guano-spec): ordered `key: value` pairs, vendor keys keep their `Vendor|` prefix. */
export interface GuanoMetadata {
  version?: string;
  fields: Record<string, string>;
}

/** Broadcast Wave `bext` chunk (EBU Tech 3285). */
export interface BextMetadata {
  description: string;
  originator: string;
  originatorReference: string;
  originationDate: string;
  originationTime: string;
  /** Sample count since midnight; a JS number is exact up to 2^53 samples. */
  timeReference: number;
  version: number;
  umid?: string;
  codingHistory: string;
}

export interface ChunkEntry {
  id: string;
  /** Byte offset of the 8-byte chunk header. */
  offset: number;
  /** Size as declared in the header (may exceed what the file holds). */
  size: number;
}

/** Wildlife Acoustics `wamd` chunk: its text subchunks by name, and the time-expansion factor when it gives one. */
export interface WamdMetadata {
  fields: Record<string, string>;
  timeExpansion?: number;
}

export interface WavMetadata {
  guano?: GuanoMetadata;
  wamd?: WamdMetadata;
  /** LIST/INFO sub-chunks by their four-character id (INAM, ICMT, ISFT, ICRD, IART, ...). */
  info?: Record<string, string>;
  bext?: BextMetadata;
  /** Every chunk seen, in file order, including unknown ones (wamd, id3 , junk, ...). */
  chunks: ChunkEntry[];
}

export type SampleFormat = "pcm" | "float";

export interface WavInfo {
  /** Samples per second of real time: the header's rate times timeExpansion. */
  sampleRate: number;
  /**
   * The file is time-expanded by this factor (GUANO `TE` or `wamd`, see time-expansion.ts): its header says
   * sampleRate / timeExpansion. Absent for a real-time file.
   */
  timeExpansion?: number;
  channels: number;
  /** Container bits per sample (8, 16, 24, 32, 64): what the bytes hold. */
  bitsPerSample: number;
  /** Significant bits (WAVE_FORMAT_EXTENSIBLE wValidBitsPerSample); equals bitsPerSample otherwise. */
  validBitsPerSample: number;
  format: SampleFormat;
  /** True if the fmt chunk was WAVE_FORMAT_EXTENSIBLE. */
  extensible: boolean;
  channelMask?: number;
  blockAlign: number;
  frames: number;
  /** Seconds. */
  duration: number;
  /** Absolute byte offset of the first sample. */
  dataOffset: number;
  /** Bytes of sample data actually available (whole frames only). */
  dataBytes: number;
  /** "RIFF" or "RF64". */
  container: "RIFF" | "RF64";
  metadata: WavMetadata;
  /** Non-fatal problems found while parsing (truncation, bad sizes, missing pad bytes). */
  warnings: string[];
}

export interface TimeRange {
  /** Seconds from the start of the recording. */
  start?: number;
  end?: number;
}

export interface DecodedWav {
  info: WavInfo;
  /** One array per channel, PCM scaled to [-1, 1), float as stored. */
  channels: Float32Array[];
}
