// One notion of "no such object" for every backend: fs errors carry code "ENOENT", and the S3
// store raises the same code, so callers answer 404 (or skip) alike whatever MEDIA_STORAGE says.

export function isMediaNotFound(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === "ENOENT";
}

/** The error a remote backend raises for a missing object (what fs raises for a missing file). */
export function mediaNotFound(key: string): Error & { code: "ENOENT" } {
  return Object.assign(new Error(`Media object not found: ${key}`), { code: "ENOENT" as const });
}
