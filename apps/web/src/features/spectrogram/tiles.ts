import { type BcsgWindow, decodeBcsg } from "@battycoda/audio/browser";
import { httpErrorFrom } from "../../lib/http-errors";
import { mediaVersionParams } from "../recordings/media-version";

/** A tile covers TILE_COLUMNS … 2·TILE_COLUMNS canvas pixels at the zoom it is fetched for. */
export const TILE_COLUMNS = 256;
/**
 * Columns requested per full tile (maxFrames): at least one per canvas pixel, so the server's
 * max-pooling never merges more than the display does. A shorter last tile asks for
 * proportionally fewer, so every tile of a level is pooled alike (joins stay invisible).
 */
export const TILE_FETCH_FRAMES = 2 * TILE_COLUMNS;

export interface TileKey {
  recordingId: string;
  channel: number | "mix";
  /** Tile length in seconds: 2^level. */
  level: number;
  index: number;
}

export const tileLength = (level: number) => 2 ** level;

/**
 * The tile level for a view: the smallest power-of-two tile length such that one tile holds at
 * least TILE_COLUMNS columns' worth of canvas pixels (≈ 1 spectrogram column per pixel).
 */
export function tileLevel(t0: number, t1: number, widthPx: number): number {
  const secondsPerPx = (t1 - t0) / Math.max(1, widthPx);
  return Math.ceil(Math.log2(Math.max(1e-9, secondsPerPx * TILE_COLUMNS)));
}

/** Tiles covering [t0, t1] (clamped to the recording) at `level`. */
export function tilesFor(t0: number, t1: number, duration: number, level: number): number[] {
  const len = tileLength(level);
  const first = Math.max(0, Math.floor(t0 / len));
  const last = Math.max(first, Math.min(Math.ceil(duration / len) - 1, Math.floor(t1 / len)));
  const out: number[] = [];
  for (let i = first; i <= last; i++) out.push(i);
  return out;
}

export const tileId = (k: TileKey) =>
  `${k.recordingId}|${mediaVersionParams(k.recordingId).v ?? ""}|${k.channel}|${k.level}|${k.index}`;

export function tileUrl(k: TileKey, duration: number): string {
  const len = tileLength(k.level);
  const start = k.index * len;
  const end = Math.min(duration, start + len);
  const q = new URLSearchParams({
    start: String(start),
    end: String(end),
    channel: String(k.channel),
    maxFrames: String(Math.max(1, Math.ceil((TILE_FETCH_FRAMES * (end - start)) / len))),
    ...mediaVersionParams(k.recordingId),
  });
  return `/api/recordings/${encodeURIComponent(k.recordingId)}/spectrogram?${q}`;
}

type Entry = { promise: Promise<BcsgWindow>; window?: BcsgWindow; error?: unknown };

/** LRU cache of decoded tiles shared by every viewer on the page. */
export class TileCache {
  private entries = new Map<string, Entry>();
  constructor(
    private readonly max = 400,
    private readonly fetcher: (url: string) => Promise<ArrayBuffer> = defaultFetch,
  ) {}

  /** The decoded tile if it is already here. */
  peek(k: TileKey): BcsgWindow | undefined {
    return this.entries.get(tileId(k))?.window;
  }

  get(k: TileKey, duration: number): Promise<BcsgWindow> {
    const id = tileId(k);
    const hit = this.entries.get(id);
    if (hit) {
      this.entries.delete(id);
      this.entries.set(id, hit); // most recently used last
      return hit.promise;
    }
    const entry: Entry = {
      promise: this.fetcher(tileUrl(k, duration)).then((buf) => {
        const w = decodeBcsg(buf);
        entry.window = w;
        return w;
      }),
    };
    entry.promise.catch((err) => {
      entry.error = err;
      // Failed tiles are not cached: the next draw asks again.
      if (this.entries.get(id) === entry) this.entries.delete(id);
    });
    this.entries.set(id, entry);
    while (this.entries.size > this.max) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    return entry.promise;
  }

  clear(recordingId?: string) {
    for (const id of [...this.entries.keys()])
      if (!recordingId || id.startsWith(`${recordingId}|`)) this.entries.delete(id);
  }

  get size() {
    return this.entries.size;
  }
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function defaultFetch(url: string): Promise<ArrayBuffer> {
  const res = await fetch(url, { credentials: "include" });
  if (!res.ok) throw new HttpError(res.status, (await httpErrorFrom(res, "Spectrogram")).message);
  return res.arrayBuffer();
}

export const sharedTileCache = new TileCache();
