/**
 * Pairs WAV files with segment files in a batch upload, by name:
 * `<wav name>.pickle|.pkl|.csv|.txt` (e.g. `bat1.wav.pickle`) or `<stem>.<ext>` (e.g. `bat1.csv`).
 * Extensions compare case-insensitively (`.WAV`, `.CSV`); stems exactly, then
 * case-insensitively when that is unambiguous. A segment file in the WAV's own folder
 * wins; across folders (a second ZIP) a stem must be unique to pair. Anything that
 * could pair two ways is reported as ambiguous rather than guessed.
 */

const SEGMENT_EXT = /\.(pickle|pkl|csv|tsv|txt)$/i;
const WAV_EXT = /\.wav$/i;

export interface SegmentPair {
  wav: string;
  segmentFile: string;
}

export interface MatchResult {
  pairs: SegmentPair[];
  /** WAVs with no segment file */
  unmatchedWavs: string[];
  /** segment files that fit no WAV */
  unmatchedSegmentFiles: string[];
  /** several candidates, none preferred: nothing paired */
  ambiguous: { wav: string; candidates: string[] }[];
}

export const isWavName = (name: string): boolean => WAV_EXT.test(name);
export const isSegmentFileName = (name: string): boolean => SEGMENT_EXT.test(name);

interface Seg {
  path: string;
  dir: string;
  stem: string;
  /** named after the full WAV name (x.wav.csv) rather than its stem (x.csv) */
  full: boolean;
}

const split = (p: string) => {
  const n = p.replace(/\\/g, "/");
  const i = n.lastIndexOf("/");
  return { dir: i < 0 ? "" : n.slice(0, i), base: n.slice(i + 1) };
};

export function matchSegmentFiles(wavNames: readonly string[], segmentNames: readonly string[]): MatchResult {
  const segs: Seg[] = segmentNames.filter(isSegmentFileName).map((p) => {
    const { dir, base } = split(p);
    const withoutExt = base.replace(SEGMENT_EXT, "");
    const full = WAV_EXT.test(withoutExt);
    return { path: p, dir, stem: full ? withoutExt.replace(WAV_EXT, "") : withoutExt, full };
  });
  const wavs = wavNames.filter(isWavName).map((p) => {
    const { dir, base } = split(p);
    return { path: p, dir, stem: base.replace(WAV_EXT, "") };
  });
  const exactStems = new Set(wavs.map((w) => w.stem));
  const wavsPerStem = new Map<string, number>();
  for (const w of wavs)
    wavsPerStem.set(w.stem.toLowerCase(), (wavsPerStem.get(w.stem.toLowerCase()) ?? 0) + 1);

  const chosen = new Map<string, Seg>();
  const ambiguous: MatchResult["ambiguous"] = [];
  for (const w of wavs) {
    let cands = segs.filter((s) => s.stem === w.stem);
    if (cands.length === 0) {
      // a file whose stem exactly names another WAV belongs to that WAV
      cands = segs.filter((s) => s.stem.toLowerCase() === w.stem.toLowerCase() && !exactStems.has(s.stem));
    }
    const sameDir = cands.filter((s) => s.dir === w.dir);
    if (sameDir.length > 0) cands = sameDir;
    else if ((wavsPerStem.get(w.stem.toLowerCase()) ?? 0) > 1) {
      // x.csv in another folder could belong to any of the WAVs called x
      if (cands.length > 0) ambiguous.push({ wav: w.path, candidates: cands.map((c) => c.path) });
      continue;
    }
    const fullNamed = cands.filter((c) => c.full);
    if (fullNamed.length > 0) cands = fullNamed;
    if (cands.length === 1) chosen.set(w.path, cands[0] as Seg);
    else if (cands.length > 1) ambiguous.push({ wav: w.path, candidates: cands.map((c) => c.path) });
  }

  // A segment file claimed by two WAVs (case-insensitive fallback) pairs with neither.
  const claims = new Map<string, string[]>();
  for (const [wav, seg] of chosen) claims.set(seg.path, [...(claims.get(seg.path) ?? []), wav]);
  const pairs: SegmentPair[] = [];
  for (const [wav, seg] of chosen) {
    if ((claims.get(seg.path) ?? []).length > 1) ambiguous.push({ wav, candidates: [seg.path] });
    else pairs.push({ wav, segmentFile: seg.path });
  }
  const pairedWavs = new Set(pairs.map((p) => p.wav));
  const ambiguousWavs = new Set(ambiguous.map((a) => a.wav));
  const usedSegs = new Set(
    [...chosen.values()].map((s) => s.path).concat(ambiguous.flatMap((a) => a.candidates)),
  );
  return {
    pairs,
    unmatchedWavs: wavs.map((w) => w.path).filter((p) => !pairedWavs.has(p) && !ambiguousWavs.has(p)),
    unmatchedSegmentFiles: segmentNames.filter((p) => !usedSegs.has(p)),
    ambiguous,
  };
}
