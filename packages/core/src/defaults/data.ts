// What `battycoda initialize-defaults` puts in every installation. Call-type short names are the
// exact `label` values of the hand-labelled reference tables (../shared/data/features/*.csv), so
// classifiers trained on those tables map onto these call types; the product carries its own
// copy because it must not need ../shared at run time.

export interface SystemSpeciesDefinition {
  name: string;
  commonName: string;
  description: string;
  /** File name under <shared data>/species/, copied into the media store when available. */
  image: string;
  callTypes: readonly (readonly [shortName: string, longName: string])[];
}

export const SYSTEM_SPECIES: readonly SystemSpeciesDefinition[] = [
  {
    name: "Eptesicus fuscus",
    commonName: "Big brown bat",
    description: "Social and echolocation call repertoire of the big brown bat (12 call types).",
    image: "Efuscus.jpg",
    callTypes: [
      ["Echo", "Echolocation call"],
      ["SFM", "Single frequency-modulated"],
      ["sHFM", "Short high frequency-modulated"],
      ["LDFM", "Long downward frequency-modulated"],
      ["FMB", "Frequency-modulated bout"],
      ["DFM", "Downward frequency-modulated"],
      ["QCF", "Quasi-constant frequency"],
      ["LFM", "Long frequency-modulated"],
      ["CS", "Chevron sweep"],
      ["LsDFM-LFM", "Long short DFM to LFM"],
      ["LQCF-CS", "Long QCF to chevron sweep"],
      ["Unsure", "Unsure"],
    ],
  },
  {
    name: "Carollia perspicillata",
    commonName: "Seba's short-tailed bat",
    description: "Social and echolocation call repertoire of Seba's short-tailed bat (9 call types).",
    image: "Carollia.png",
    callTypes: [
      ["echolocation calls", "Echolocation calls"],
      ["aggressive warbles", "Aggressive warbles"],
      ["aggressive down-sweeps (A)", "Aggressive down-sweeps (A)"],
      ["distress calls", "Distress calls"],
      ["male aggressive trills", "Male aggressive trills"],
      ["pup isolation calls", "Pup isolation calls"],
      ["V-shaped calls", "V-shaped calls"],
      ["noise", "Noise"],
      ["Unsure", "Unsure"],
    ],
  },
];

export const DUMMY_CLASSIFIER = {
  name: "Dummy classifier",
  description:
    "Placeholder that gives every call type of the species the same probability. Useful to try the " +
    "classification workflow before a real classifier is trained.",
  parameters: { strategy: "uniform" },
} as const;
