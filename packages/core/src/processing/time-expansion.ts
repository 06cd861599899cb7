import type { WavInfo } from "@battycoda/audio";

/**
 * The sentence beside a time-expanded upload (GUANO TE or wamd): it is read in real time, which the researcher
 * should be able to check at a glance.
 */
export function timeExpansionMessage(info: WavInfo): string | null {
  if (!info.timeExpansion) return null;
  const khz = (hz: number) => `${(hz / 1000).toFixed(hz % 1000 === 0 ? 0 : 1)} kHz`;
  return `Time-expanded x${info.timeExpansion} file: its header says ${khz(info.sampleRate / info.timeExpansion)}; read in real time at ${khz(info.sampleRate)}, ${info.duration.toFixed(info.duration < 10 ? 2 : 1)} s of the bat's time`;
}
