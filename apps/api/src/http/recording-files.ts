import {
  type AudioPool,
  closeUpNeedsAudio,
  dcOffsetOf,
  frameCount,
  HOP_LENGTH,
  isColormapName,
  N_FFT,
  N_FREQ_BINS,
  readSpectrogramAttrs,
  readWavInfo,
  type WavWindowRequest,
} from "@battycoda/audio";
import {
  badRequest,
  DomainError,
  type GroupAccess,
  notFound,
  openAudioClip,
  parseByteRange,
  readStoredWavInfo,
  recordingAudioFile,
  recordingSpectrogramFile,
} from "@battycoda/core";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { formatZodIssues, sendError } from "../errors.ts";
import { mediaOf, type ServerDeps } from "../trpc.ts";
import { runRender } from "./heavy-work.ts";
import type { CookieSettings } from "./request-auth.ts";
import { accessFor, requireUser } from "./route-auth.ts";

interface Params {
  recordingId: string;
}

const num = z.coerce.number().refine(Number.isFinite, { error: "expected a number" });
const ZClipQuery = z.object({ start: num.min(0).optional(), end: num.min(0).optional() });
const ZWindowQuery = z.object({
  start: num.min(0).optional(),
  end: num.min(0).optional(),
  channel: z.union([z.literal("mix"), z.coerce.number().int().min(0).max(255)]).optional(),
  fmin: num.min(0).optional(),
  fmax: num.min(0).optional(),
  dbMin: num.optional(),
  dbMax: num.optional(),
});
const ZBinaryQuery = ZWindowQuery.extend({
  maxFrames: z.coerce.number().int().min(1).max(20_000).default(2000),
  maxBins: z.coerce.number().int().min(1).max(4096).optional(),
});
/**
 * Largest PNG the API draws. Beyond this a picture shows nothing more (a window has 257 frequency
 * bins, and the viewer draws BCSG tiles, not PNGs) while memory grows with the pixel count:
 * 8192×4096 took 7 s and +570 MB.
 */
export const MAX_PNG_WIDTH = 4096;
export const MAX_PNG_HEIGHT = 2048;
const ZPngQuery = ZWindowQuery.extend({
  width: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_PNG_WIDTH, { error: `at most ${MAX_PNG_WIDTH} pixels wide` })
    .optional(),
  height: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_PNG_HEIGHT, { error: `at most ${MAX_PNG_HEIGHT} pixels high` })
    .optional(),
  colormap: z.string().refine(isColormapName, { error: "unknown colormap" }).optional(),
});

/**
 * A window is read at full resolution before it is pooled down, so its length is capped: 200k
 * frames is 60 s at 384 kHz (one split part) and ~200 MB of float32 at worst.
 */
const MAX_WINDOW_FRAMES = 200_000;

function parseQuery<T extends z.ZodType>(
  schema: T,
  req: FastifyRequest,
  reply: FastifyReply,
): z.output<T> | null {
  const parsed = schema.safeParse(req.query ?? {});
  if (!parsed.success) {
    sendError(reply, 400, "BAD_REQUEST", formatZodIssues(parsed.error));
    return null;
  }
  return parsed.data;
}

/** GET audio: whole file with Range support, or a WAV clip when start/end are given. */
async function serveAudio(deps: ServerDeps, cookies: CookieSettings, apiKeyOnly: boolean) {
  const media = mediaOf(deps);
  return async (req: FastifyRequest<{ Params: Params }>, reply: FastifyReply) => {
    const user = await requireUser(deps, cookies, req, reply, { apiKeyOnly });
    if (!user) return reply;
    const query = parseQuery(ZClipQuery, req, reply);
    if (!query) return reply;
    const access = await accessFor(deps, user, req);
    const file = await recordingAudioFile(deps, access, req.params.recordingId);
    const stat = await media.stat(file.key).catch(() => null);
    if (!stat) throw notFound("Recording file");
    const filename = encodeURIComponent(file.recording.originalFilename || `${file.recording.name}.wav`);
    reply
      .header("content-type", "audio/wav")
      .header("cache-control", "private, max-age=3600")
      .header("content-disposition", `inline; filename*=UTF-8''${filename}`);

    if (query.start !== undefined || query.end !== undefined) {
      const clip = await openAudioClip(media, file.key, query);
      return reply
        .header("content-length", clip.length)
        .header("x-clip-start", clip.start.toFixed(6))
        .header("x-clip-end", clip.end.toFixed(6))
        .send(clip.stream);
    }

    reply.header("accept-ranges", "bytes");
    const range = parseByteRange(req.headers.range, stat.size);
    if (range === "unsatisfiable") {
      return reply
        .header("content-range", `bytes */${stat.size}`)
        .header("content-type", "application/json; charset=utf-8")
        .removeHeader("content-disposition")
        .status(416)
        .send({ error: { code: "RANGE_NOT_SATISFIABLE", message: `File has ${stat.size} bytes` } });
    }
    if (range) {
      // A ranged read of the store (a ranged GET on S3), never the whole object.
      return reply
        .status(206)
        .header("content-range", `bytes ${range.start}-${range.end}/${stat.size}`)
        .header("content-length", range.end - range.start + 1)
        .send(await media.createReadStream(file.key, range));
    }
    return reply.header("content-length", stat.size).send(await media.createReadStream(file.key));
  };
}

interface SourceAttrs {
  duration: number;
  sampleRate: number;
  hopLength: number;
  channels: number;
  nFreqBins: number;
  nFft: number;
  nFrames: number;
  /** 1 for the audio and for older files; more when the file keeps the maximum of each group of frames. */
  framesPerColumn: number;
  /** The spectrogram file's DC offset for a channel; null for the audio alone (each window then measures its own). */
  dcOffset: (channel: "mix" | number) => number | null;
}

interface SpectrogramWindowJob {
  kind: "h5" | "wav";
  /** A local path of the source file (the stored file, or its staged copy when media are on S3). */
  path: string;
  window: WavWindowRequest;
  range: { dbMin?: number; dbMax?: number };
  cells: number;
}

/**
 * Checks the caller and the window against the recording's spectrogram source, then runs `render`
 * with a local path of that source; null when the answer (401) was already sent. `columns`: the
 * picture's width in pixels. A close-up (a pixel or more per STFT frame) of a file that keeps only the
 * maximum of each group of frames is computed from the audio, with the file's DC offset.
 */
async function withSpectrogramWindow<T>(
  deps: ServerDeps,
  cookies: CookieSettings,
  req: FastifyRequest<{ Params: Params }>,
  reply: FastifyReply,
  q: z.output<typeof ZWindowQuery>,
  columns: number,
  render: (job: SpectrogramWindowJob) => Promise<T>,
): Promise<T | null> {
  const user = await requireUser(deps, cookies, req, reply);
  if (!user) return null;
  const access = await accessFor(deps, user, req);
  const source = await spectrogramSource(deps, access, req.params.recordingId);
  const media = mediaOf(deps);
  return media.withLocalFile(source.key, async (path) => {
    const attrs = await source.attrs(path);
    if (source.kind === "h5" && closeUpNeedsAudio(attrs, { start: q.start, end: q.end }, columns)) {
      const audio = await recordingAudioFile(deps, access, req.params.recordingId);
      return media.withLocalFile(audio.key, async (wav) =>
        windowJob(wavSourceAttrs(await readWavInfo(wav), attrs.dcOffset), "wav", wav, q, render),
      );
    }
    return windowJob(attrs, source.kind, path, q, render);
  });
}

/** Validates the query against the source and hands `render` the window. */
async function windowJob<T>(
  attrs: SourceAttrs,
  kind: "h5" | "wav",
  path: string,
  q: z.output<typeof ZWindowQuery>,
  render: (job: SpectrogramWindowJob) => Promise<T>,
): Promise<T> {
  const start = q.start ?? 0;
  const end = q.end ?? attrs.duration;
  if (end < start) throw badRequest("end must not be before start");
  if (((end - start) * attrs.sampleRate) / attrs.hopLength > MAX_WINDOW_FRAMES) {
    const maxSeconds = Math.floor((MAX_WINDOW_FRAMES * attrs.hopLength) / attrs.sampleRate);
    throw badRequest(`Window too long: request at most ${maxSeconds} s at a time`);
  }
  const channel = q.channel ?? "mix";
  if (channel !== "mix" && attrs.channels > 1 && channel >= attrs.channels)
    throw badRequest(`channel must be below ${attrs.channels}`);
  if (channel !== "mix" && attrs.channels === 1 && channel > 0)
    throw badRequest("The recording has one channel");
  const window: WavWindowRequest = { start, end, channel };
  const dc = kind === "wav" ? attrs.dcOffset(channel) : null;
  if (dc !== null) window.dcOffset = dc;
  if (q.fmin !== undefined) window.fmin = q.fmin;
  if (q.fmax !== undefined) window.fmax = q.fmax;
  const range = {
    ...(q.dbMin !== undefined ? { dbMin: q.dbMin } : {}),
    ...(q.dbMax !== undefined ? { dbMax: q.dbMax } : {}),
  };
  // Cells read from the file: what decides between rendering inline and on the pool. From the WAV
  // each cell costs an FFT's share, far more than inflating it from the HDF5 file.
  const bins = attrs.nFreqBins > 0 ? attrs.nFreqBins : attrs.nFft / 2 + 1;
  const cells =
    Math.ceil(((end - start) * attrs.sampleRate) / attrs.hopLength) * bins * (kind === "wav" ? 20 : 1);
  return render({ kind, path, window, range, cells });
}

/** The audio as a spectrogram source, every frame. */
function wavSourceAttrs(
  info: { frames: number; sampleRate: number; channels: number },
  dcOffset: SourceAttrs["dcOffset"],
): SourceAttrs {
  return {
    duration: info.frames / info.sampleRate,
    sampleRate: info.sampleRate,
    hopLength: HOP_LENGTH,
    channels: info.channels,
    nFreqBins: N_FREQ_BINS,
    nFft: N_FFT,
    nFrames: frameCount(info.frames, HOP_LENGTH),
    framesPerColumn: 1,
    dcOffset,
  };
}

interface SpectrogramSource {
  kind: "h5" | "wav";
  key: string;
  attrs: (localPath: string) => Promise<SourceAttrs>;
}

/**
 * The HDF5 spectrogram, or, while its job is still queued or running, the WAV itself: windows are
 * then computed from the audio (same frames and bins), so the page shows the spectrogram at once
 * instead of after the whole file's job.
 */
async function spectrogramSource(
  deps: ServerDeps,
  access: GroupAccess,
  recordingId: string,
): Promise<SpectrogramSource> {
  try {
    const file = await recordingSpectrogramFile(deps, access, recordingId);
    return {
      kind: "h5",
      key: file.key,
      attrs: async (path) => {
        const a = await readSpectrogramAttrs(path);
        return { ...a, dcOffset: (channel) => dcOffsetOf(a, channel) };
      },
    };
  } catch (err) {
    const status =
      err instanceof DomainError && err.code === "CONFLICT"
        ? (err.details as { processingStatus?: string } | undefined)?.processingStatus
        : undefined;
    if (status !== "pending" && status !== "processing") throw err;
    const audio = await recordingAudioFile(deps, access, recordingId);
    const info = await readStoredWavInfo(mediaOf(deps), audio.key).catch(() => null);
    if (!info) throw err;
    return { kind: "wav", key: audio.key, attrs: async () => wavSourceAttrs(info, () => null) };
  }
}

/**
 * Audio and spectrogram windows of a recording. Access as everywhere: cookie or API key, another
 * group's recording is 404 exactly like a missing one. Big renders run on `pool` (a full pool
 * answers 503 + Retry-After through the server's error handler).
 */
export async function registerRecordingFileRoutes(
  app: FastifyInstance,
  deps: ServerDeps,
  cookies: CookieSettings,
  pool: AudioPool,
) {
  app.get<{ Params: Params }>("/api/recordings/:recordingId/audio", await serveAudio(deps, cookies, false));
  app.get<{ Params: Params }>("/api/v1/recordings/:recordingId/audio", await serveAudio(deps, cookies, true));

  app.get<{ Params: Params }>("/api/recordings/:recordingId/spectrogram", async (req, reply) => {
    const q = parseQuery(ZBinaryQuery, req, reply);
    if (!q) return reply;
    const rendered = await withSpectrogramWindow(deps, cookies, req, reply, q, q.maxFrames, async (w) => {
      const options = { ...w.range, maxFrames: q.maxFrames, ...(q.maxBins ? { maxBins: q.maxBins } : {}) };
      const buf = await runRender(
        pool,
        w.kind === "h5"
          ? { type: "render-binary", h5Path: w.path, window: w.window, options }
          : { type: "render-wav-binary", wavPath: w.path, window: w.window, options },
        w.cells,
      );
      return { kind: w.kind, buf };
    });
    if (!rendered) return reply;
    const { buf } = rendered;
    return reply
      .header("x-spectrogram-source", rendered.kind)
      .header("content-type", "application/octet-stream")
      .header("cache-control", "private, max-age=300")
      .send(Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength));
  });

  app.get<{ Params: Params }>("/api/recordings/:recordingId/spectrogram.png", async (req, reply) => {
    const q = parseQuery(ZPngQuery, req, reply);
    if (!q) return reply;
    const width = q.width ?? 1200;
    const height = q.height ?? 400;
    const rendered = await withSpectrogramWindow(deps, cookies, req, reply, q, width, async (w) => {
      const options = {
        ...w.range,
        ...(q.colormap && isColormapName(q.colormap) ? { colormap: q.colormap } : {}),
        width,
        height,
      };
      const png = await runRender(
        pool,
        w.kind === "h5"
          ? { type: "render-png", h5Path: w.path, window: w.window, options }
          : { type: "render-wav-png", wavPath: w.path, window: w.window, options },
        w.cells + width * height,
      );
      return { kind: w.kind, png };
    });
    if (!rendered) return reply;
    const { png } = rendered;
    return reply
      .header("x-spectrogram-source", rendered.kind)
      .header("content-type", "image/png")
      .header("cache-control", "private, max-age=300")
      .send(Buffer.from(png.buffer, png.byteOffset, png.byteLength));
  });
}
