// A cluster's name as people read it, the same on the explorer page and in the downloads: its label once named,
// else "Cluster N" counted from 1 (the stored index counts from 0; -1 is the noise of density-based methods).
// Pure, with no server imports: the web app uses it too.
export function clusterName(c: { index: number; label: string }): string {
  return c.label || (c.index < 0 ? "Noise" : `Cluster ${c.index + 1}`);
}

/** The number in "Cluster N", for the downloads' `cluster` column; noise keeps -1, the DBSCAN/HDBSCAN convention. */
export function clusterNumber(index: number): number {
  return index < 0 ? -1 : index + 1;
}
