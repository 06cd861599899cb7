// A recording's media URLs (spectrogram tiles, audio clips, measurements) carry a version of its file, the start of
// its hash: when the file changes (a time expansion declared after upload) neither the browser's cache nor the page's
// own tile and clip caches can serve windows of the old time base. Set by the pages that show the recording.
const versions = new Map<string, string>();

export function setMediaVersion(recordingId: string, sha256: string | null | undefined): void {
  if (sha256) versions.set(recordingId, sha256.slice(0, 16));
}

/** The `v` query parameter of the recording's media URLs; none before a page has set it. */
export function mediaVersionParams(recordingId: string): Record<string, string> {
  const v = versions.get(recordingId);
  return v ? { v } : {};
}
