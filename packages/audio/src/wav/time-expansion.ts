// Time-expansion detectors (and recorders fed by one) write ultrasound slowed down: a ×10 file has a 44.1 kHz header
// for 441 kHz of real sound, and lasts ten times as long as what the bat did. Read at the header's rate, every
// duration, frequency and time-based rule (max call length, echo delays, features) is off by the factor. GUANO says
// so in `TE`, Wildlife Acoustics' `wamd` chunk in a field of its own, so a file that says so is read in real time
// everywhere: WavInfo.sampleRate is the real rate, and files derived from it (clips, parts) are written real-time.
import type { GuanoMetadata, WamdMetadata } from "./types.ts";

/** Above this a "factor" is a corrupt field: real time-expansion detectors use ×10 or ×20, a few ×32. */
export const MAX_TIME_EXPANSION = 100;

function wholeFactor(x: number): number | null {
  const r = Math.round(x);
  return Number.isFinite(x) && r >= 2 && r <= MAX_TIME_EXPANSION && Math.abs(x - r) < 1e-6 ? r : null;
}

/**
 * The file's time-expansion factor from its GUANO `TE`, or else Wildlife Acoustics' `wamd` one (1 when neither gives
 * one). A factor that is not whole in 2..MAX_TIME_EXPANSION is ignored with a warning. GUANO's `Samplerate` alone is
 * not trusted: some recorders put the converter's rate there for a file stored decimated, which would read as
 * "expanded x2".
 */
export function timeExpansionOf(
  metadata: { guano?: GuanoMetadata | undefined; wamd?: WamdMetadata | undefined },
  headerRate: number,
  maxRate: number,
  warnings: string[],
): number {
  const guanoTe = metadata.guano?.fields.TE?.trim();
  const [te, source] =
    guanoTe !== undefined && guanoTe !== ""
      ? [guanoTe, "GUANO TE"]
      : metadata.wamd?.timeExpansion !== undefined
        ? [String(metadata.wamd.timeExpansion), "wamd time expansion"]
        : ["1", ""];
  if (Number(te) === 1 || (source.startsWith("wamd") && Number(te) === 0)) return 1;
  const factor = wholeFactor(Number(te));
  if (factor === null) {
    warnings.push(
      `${source} "${te}" is not a time-expansion factor (a whole number 1-${MAX_TIME_EXPANSION}); read as 1`,
    );
    return 1;
  }
  if (headerRate * factor > maxRate) {
    warnings.push(`${source} ${factor} would make ${headerRate * factor} Hz; read as 1`);
    return 1;
  }
  return factor;
}

/** GUANO for a real-time copy of a time-expanded file: TE 1, Samplerate the real rate, everything else as it was. */
export function realTimeGuano(guano: GuanoMetadata, realRate: number): GuanoMetadata {
  return { ...guano, fields: { ...guano.fields, TE: "1", Samplerate: String(realRate) } };
}
