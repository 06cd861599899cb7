import * as tus from "tus-js-client";
import { httpErrorFromText } from "../../lib/http-errors";

/** Files above this go through tus (resumable); smaller ones are one multipart request. */
export const TUS_THRESHOLD_BYTES = 64 * 1024 * 1024;

export interface UploadProgress {
  loaded: number;
  total: number;
  /** Bytes per second, smoothed. */
  rate: number;
  /** Seconds left, or null before the rate is known. */
  eta: number | null;
}

/** Tracks an exponentially smoothed transfer rate for ETA display. */
export function progressTracker(onProgress: (p: UploadProgress) => void) {
  let lastT = 0;
  let lastBytes = 0;
  let rate = 0;
  return (loaded: number, total: number) => {
    const now = performance.now();
    if (lastT === 0) {
      lastT = now;
      lastBytes = loaded;
    } else if (now - lastT > 250) {
      const inst = ((loaded - lastBytes) * 1000) / (now - lastT);
      rate = rate === 0 ? inst : rate * 0.7 + inst * 0.3;
      lastT = now;
      lastBytes = loaded;
    }
    onProgress({ loaded, total, rate, eta: rate > 0 ? Math.max(0, (total - loaded) / rate) : null });
  };
}

export class UploadError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

function errorFromBody(status: number, text: string): UploadError {
  const e = httpErrorFromText(status, text, "Upload failed");
  return new UploadError(e.message, status, e.details);
}

/**
 * The group an upload goes to, sent with each of its requests: the one the upload form was loaded in (its project
 * and species lists), even if the group is switched elsewhere (another tab or device) while the bytes travel.
 */
function groupHeaders(groupId: string | null | undefined): Record<string, string> {
  return groupId ? { "X-Group-Id": groupId } : {};
}

/**
 * multipart/form-data POST with upload progress (fetch has no upload progress events; XHR does). With `fileBytes`
 * (the files' own size) the progress counts those, not the request's: a 30-byte file read "332 B of 332 B".
 */
export function xhrUpload<T>(
  url: string,
  form: FormData,
  onProgress: (p: UploadProgress) => void,
  signal?: AbortSignal,
  groupId?: string | null,
  fileBytes?: number,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const track = progressTracker(onProgress);
    xhr.open("POST", url);
    xhr.withCredentials = true;
    for (const [k, v] of Object.entries(groupHeaders(groupId))) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => {
      if (!e.lengthComputable) return;
      if (fileBytes === undefined || e.total <= 0) track(e.loaded, e.total);
      else track(Math.min(fileBytes, Math.round((e.loaded / e.total) * fileBytes)), fileBytes);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          resolve(JSON.parse(xhr.responseText) as T);
        } catch {
          reject(new UploadError("The server's answer was not JSON", xhr.status));
        }
      } else reject(errorFromBody(xhr.status, xhr.responseText));
    };
    xhr.onerror = () => reject(errorFromBody(0, ""));
    xhr.onabort = () => reject(new UploadError("Upload cancelled", 0));
    signal?.addEventListener("abort", () => xhr.abort());
    xhr.send(form);
  });
}

export interface TusResult {
  uploadId: string | null;
  recordingId: string | null;
}

/**
 * Resumable upload through tus (`/api/uploads/tus`). tus-js-client stores each upload's URL in
 * localStorage under the file's fingerprint (name, type, size, mtime, endpoint); before starting we
 * look those up with `findPreviousUploads()` and resume the newest, so a dropped connection (retried
 * automatically with back-off) or a page reload continues where the server stopped.
 */
export function tusUpload(
  file: File,
  metadata: Record<string, string>,
  onProgress: (p: UploadProgress) => void,
  opts: { signal?: AbortSignal; onResume?: (offsetBytes: number) => void; groupId?: string | null } = {},
): Promise<TusResult> {
  return new Promise((resolve, reject) => {
    const track = progressTracker(onProgress);
    const result: TusResult = { uploadId: null, recordingId: null };
    const upload = new tus.Upload(file, {
      endpoint: "/api/uploads/tus",
      headers: groupHeaders(opts.groupId),
      chunkSize: 8 * 1024 * 1024,
      retryDelays: [0, 1000, 3000, 5000, 10000, 20000],
      removeFingerprintOnSuccess: true,
      storeFingerprintForResuming: true,
      metadata: { ...metadata, filename: file.name, filetype: file.type || "application/octet-stream" },
      onBeforeRequest: (req) => {
        const xhr = req.getUnderlyingObject() as XMLHttpRequest;
        xhr.withCredentials = true;
      },
      onAfterResponse: (_req, res) => {
        result.uploadId = res.getHeader("BattyCoda-Upload-Id") || result.uploadId;
        result.recordingId = res.getHeader("BattyCoda-Recording-Id") || result.recordingId;
      },
      onProgress: (loaded, total) => track(loaded, total),
      onError: (err) => {
        const res = (err as tus.DetailedError).originalResponse;
        reject(res ? errorFromBody(res.getStatus(), res.getBody()) : new UploadError(err.message, 0));
      },
      onSuccess: () => resolve(result),
    });
    opts.signal?.addEventListener("abort", () => {
      void upload.abort(false);
      reject(new UploadError("Upload paused — choose the same file again to resume", 0));
    });
    upload
      .findPreviousUploads()
      .then((previous) => {
        const newest = [...previous].sort((a, b) => b.creationTime.localeCompare(a.creationTime))[0];
        if (newest) {
          upload.resumeFromPreviousUpload(newest);
          opts.onResume?.(0);
        }
        upload.start();
      })
      .catch(reject);
  });
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

export function formatEta(s: number | null): string {
  if (s == null || !Number.isFinite(s)) return "—";
  if (s < 60) return `${Math.ceil(s)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s - m * 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}
