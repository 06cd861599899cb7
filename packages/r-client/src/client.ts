/**
 * Typed client for the BattyCoda R classification server (r_code/server.R).
 * Uses node:http directly (not fetch) so long trainings are not cut off by undici's 300 s
 * headers timeout: the only time limit is the one given here.
 *
 * Models travel over HTTP, named by the sha256 of their bytes: train() downloads the model it
 * trained, predict() names the model and uploads it only when that server does not hold it yet.
 * So R servers need no shared disk with the app and can run on other hosts.
 */
import { createHash } from "node:crypto";
import http from "node:http";
import https from "node:https";
import type { z } from "zod";
import {
  RServerInternalError,
  RServerRequestError,
  RServerResponseError,
  RServerTimeoutError,
  RServerUnavailableError,
} from "./errors.ts";
import {
  type ClassifierMethod,
  ErrorResponseSchema,
  type ModelUploadResponse,
  ModelUploadResponseSchema,
  type PingResponse,
  PingResponseSchema,
  type PredictResponse,
  PredictResponseSchema,
  type TrainingStatus,
  TrainingStatusSchema,
  type TrainResponse,
  TrainResponseSchema,
  type TrainStarted,
  TrainStartedSchema,
} from "./schemas.ts";

/** One call's features: column name -> finite number. */
export type FeatureRow = Record<string, number>;
/** Rows (array of objects) or columns (object of equal-length arrays). */
export type FeatureTable = FeatureRow[] | Record<string, number[]>;

export interface CommonTrainOptions {
  /** Stratified CV folds (default 5); 0 skips cross-validation. */
  cvFolds?: number;
  /** Seed for fold assignment and randomised fitting (default 42). */
  seed?: number;
  /** Labels with fewer distinct rows are rejected (default 2)... */
  minSamplesPerLabel?: number;
  /** ...unless this is true: then they are left out and reported in `droppedLabels`. */
  dropRareLabels?: boolean;
  /**
   * "uniform" (default): probabilities on an equal-prior scale (posterior / class frequency), which
   * finds rare call types (best balanced accuracy); "proportional": training frequencies (best plain accuracy).
   */
  prior?: "uniform" | "proportional";
}
export interface KnnOptions extends CommonTrainOptions {
  /** Neighbours, or "auto" (default): chosen by an inner cross-validation on the training rows. */
  k?: number | "auto";
  /** "distance" (1/distance-weighted votes, default) or "uniform" (vote fractions). */
  weighting?: "uniform" | "distance";
}
export type LdaOptions = CommonTrainOptions;
export interface RfOptions extends CommonTrainOptions {
  numTrees?: number;
  mtry?: number;
  minNodeSize?: number;
  classWeights?: "balanced" | "none";
  numThreads?: number;
}
/** LDA + random forest + KNN, probabilities averaged; takes the KNN and RF options. */
export interface EnsembleOptions extends KnnOptions, Omit<RfOptions, keyof CommonTrainOptions> {}
export interface TrainOptionsByMethod {
  knn: KnnOptions;
  lda: LdaOptions;
  rf: RfOptions;
  ensemble: EnsembleOptions;
}

export interface TrainRequest<M extends ClassifierMethod = ClassifierMethod> {
  method: M;
  features: FeatureTable;
  labels: string[];
  options?: TrainOptionsByMethod[M];
}

/** A trained model's answer, with the model's bytes (their sha256 checked against `modelSha256`). */
export type TrainResult = TrainResponse & { model: Buffer };

/**
 * A model as predict() needs it: its name, and how to get its bytes when a server lacks it (read
 * from the media store, say). `load` is called at most once per server that lacks the model.
 */
export interface ModelSource {
  sha256: string;
  load: () => Promise<Uint8Array>;
}

export interface PredictRequest {
  method: ClassifierMethod;
  model: ModelSource;
  features: FeatureTable;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** A ModelSource for bytes already in memory. */
export function modelFromBytes(bytes: Uint8Array): ModelSource {
  return { sha256: sha256Hex(bytes), load: async () => bytes };
}

/** The server does not hold the model named in the request: upload it and ask again. */
export function isModelNotCached(err: unknown): boolean {
  return err instanceof RServerRequestError && err.code === "model_not_cached";
}

export interface RClientOptions {
  /** Default: $R_SERVER_URL, else http://127.0.0.1:$R_SERVER_PORT (8001). */
  baseUrl?: string;
  /** Timeout for /ping and /predict (default 60 s). */
  timeoutMs?: number;
  /** Timeout for /train (default 30 min: cross-validating a forest on a big table takes a while). */
  trainTimeoutMs?: number;
}

export interface CallOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface TrainCallOptions extends CallOptions {
  /** Called on every status poll while the training runs (fraction 0..1 and what it is doing). */
  onProgress?: (progress: { fraction: number; stage: string | null; trainingId: string }) => void;
  /** First poll interval (default 250 ms; grows to 2 s). */
  pollIntervalMs?: number;
}

/** The classifier service as the app shows it. */
export interface RServiceStatus {
  /** down: not reachable; busy: training, or too occupied to answer in time; up: idle and answering. */
  state: "up" | "down" | "busy";
  url: string;
  checkedAt: string;
  rVersion: string | null;
  packages: Record<string, string | null> | null;
  training: { active: number; max: number };
  message: string | null;
}

export function defaultRServerUrl(env: NodeJS.ProcessEnv = process.env): string {
  if (env.R_SERVER_URL) return env.R_SERVER_URL.replace(/\/+$/, "");
  return `http://127.0.0.1:${env.R_SERVER_PORT ?? "8001"}`;
}

export class RClient {
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly trainTimeoutMs: number;

  constructor(options: RClientOptions = {}) {
    this.baseUrl = (options.baseUrl ?? defaultRServerUrl()).replace(/\/+$/, "");
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.trainTimeoutMs = options.trainTimeoutMs ?? 30 * 60_000;
  }

  /** Health check: R and package versions. */
  ping(options: CallOptions = {}): Promise<PingResponse> {
    return this.request("GET", "/ping", undefined, PingResponseSchema, {
      timeoutMs: options.timeoutMs ?? Math.min(this.timeoutMs, 5_000),
      signal: options.signal,
    });
  }

  /** Resolves once /ping answers, polling every `intervalMs`; rejects with the last error after `timeoutMs`. */
  async waitUntilReady(timeoutMs = 30_000, intervalMs = 100): Promise<PingResponse> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    while (Date.now() < deadline) {
      try {
        return await this.ping({ timeoutMs: Math.max(250, Math.min(2_000, deadline - Date.now())) });
      } catch (err) {
        last = err;
      }
      await new Promise((r) => setTimeout(r, intervalMs));
    }
    throw last ?? new RServerTimeoutError(`${this.baseUrl}/ping`, timeoutMs);
  }

  /**
   * Train, cross-validate and save a model (see r_code/README.md for the pipeline). The server runs
   * the training in its own R process: this starts it, then polls its status until it is done.
   * When the server is at its training limit (429/503) it retries with backoff until `timeoutMs`.
   */
  async train<M extends ClassifierMethod>(
    request: TrainRequest<M>,
    options: TrainCallOptions = {},
  ): Promise<TrainResult> {
    const timeoutMs = options.timeoutMs ?? this.trainTimeoutMs;
    const deadline = Date.now() + timeoutMs;
    const res = await this.trainOnServer(request, options, timeoutMs, deadline);
    // Fetched at once: the server's cache is bounded and the model is the point of the training.
    const model = await this.downloadModel(res.modelSha256, {
      timeoutMs: Math.max(this.timeoutMs, deadline - Date.now()),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (model.length !== res.modelSize)
      throw new RServerResponseError(
        `${this.baseUrl}/models/${res.modelSha256}`,
        `${model.length} bytes, the training announced ${res.modelSize}`,
      );
    return { ...res, model };
  }

  private async trainOnServer<M extends ClassifierMethod>(
    request: TrainRequest<M>,
    options: TrainCallOptions,
    timeoutMs: number,
    deadline: number,
  ): Promise<TrainResponse> {
    const remaining = () => Math.max(1, deadline - Date.now());
    let backoff = 1_000;
    let started: TrainStarted | TrainResponse;
    while (true) {
      try {
        started = await this.startTraining(request, {
          timeoutMs: Math.min(remaining(), this.timeoutMs),
          signal: options.signal,
        });
        break;
      } catch (err) {
        const busy = err instanceof RServerRequestError && (err.status === 429 || err.status === 503);
        if (!busy || Date.now() + backoff > deadline) throw err;
        await sleep(backoff, options.signal);
        backoff = Math.min(backoff * 2, 15_000);
      }
    }
    // A server from before asynchronous training answers 200 with the result itself.
    if (!("trainingId" in started)) return started;
    const id = started.trainingId;
    let interval = options.pollIntervalMs ?? 250;
    const onAbort = () => {
      this.cancelTraining(id).catch(() => undefined);
    };
    options.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      while (true) {
        const st = await this.trainingStatus(id, {
          timeoutMs: Math.min(remaining(), this.timeoutMs),
          signal: options.signal,
        });
        if (st.status === "done") {
          if (!st.result)
            throw new RServerResponseError(`${this.baseUrl}/train/status/${id}`, "done without a result");
          options.onProgress?.({ fraction: 1, stage: st.stage ?? null, trainingId: id });
          return st.result;
        }
        if (st.status === "failed") {
          const url = `${this.baseUrl}/train/status/${id}`;
          const status = st.errorStatus ?? 500;
          const message = st.error ?? "training failed";
          if (status >= 500) throw new RServerInternalError(url, status, message);
          throw new RServerRequestError(url, status, message, st.details);
        }
        options.onProgress?.({ fraction: st.progress, stage: st.stage ?? null, trainingId: id });
        if (Date.now() + interval > deadline) {
          await this.cancelTraining(id).catch(() => undefined);
          throw new RServerTimeoutError(`${this.baseUrl}/train/${request.method}`, timeoutMs);
        }
        await sleep(interval, options.signal);
        interval = Math.min(interval * 1.5, 2_000);
      }
    } finally {
      options.signal?.removeEventListener("abort", onAbort);
    }
  }

  /** Validate and start a training (202); bad input is rejected here, synchronously. */
  startTraining<M extends ClassifierMethod>(
    request: TrainRequest<M>,
    options: CallOptions = {},
  ): Promise<TrainStarted | TrainResponse> {
    const { method, ...body } = request;
    return this.request("POST", `/train/${method}`, json(body), TrainStartedSchema.or(TrainResponseSchema), {
      timeoutMs: options.timeoutMs ?? this.timeoutMs,
      signal: options.signal,
    });
  }

  /** running (with progress), done (with the result) or failed (with the error and its HTTP status). */
  trainingStatus(trainingId: string, options: CallOptions = {}): Promise<TrainingStatus> {
    return this.request(
      "GET",
      `/train/status/${encodeURIComponent(trainingId)}`,
      undefined,
      TrainingStatusSchema,
      {
        timeoutMs: options.timeoutMs ?? this.timeoutMs,
        signal: options.signal,
      },
    );
  }

  /** Stop a running training (its process is killed; nothing reaches the model cache). */
  cancelTraining(trainingId: string, options: CallOptions = {}): Promise<TrainingStatus> {
    return this.request(
      "DELETE",
      `/train/status/${encodeURIComponent(trainingId)}`,
      json({}),
      TrainingStatusSchema,
      {
        timeoutMs: options.timeoutMs ?? this.timeoutMs,
        signal: options.signal,
      },
    );
  }

  /**
   * up / down / busy with a short timeout (default 2 s), never throws: connection refused → down,
   * no answer in time or trainings running → busy.
   */
  async status(options: { timeoutMs?: number } = {}): Promise<RServiceStatus> {
    const checkedAt = new Date().toISOString();
    const base = { url: this.baseUrl, checkedAt };
    try {
      const p = await this.ping({ timeoutMs: options.timeoutMs ?? 2_000 });
      const training = { active: p.training?.active ?? 0, max: p.training?.max ?? 1 };
      const busy = training.active > 0;
      return {
        ...base,
        state: busy ? "busy" : "up",
        rVersion: p.rVersion,
        packages: p.packages,
        training,
        message: busy ? `training ${training.active} classifier${training.active === 1 ? "" : "s"}` : null,
      };
    } catch (err) {
      const empty = { rVersion: null, packages: null, training: { active: 0, max: 0 } };
      if (err instanceof RServerTimeoutError)
        return { ...base, ...empty, state: "busy", message: "the classifier service did not answer in time" };
      return { ...base, ...empty, state: "down", message: err instanceof Error ? err.message : String(err) };
    }
  }

  /**
   * Predicted label + full class-probability vector for each row. The model is named by its
   * sha256; a server that does not hold it answers model_not_cached, and then the model is
   * uploaded (`model.load()`) and the prediction sent once more.
   */
  async predict(request: PredictRequest, options: CallOptions = {}): Promise<PredictResponse> {
    const { method, model, features } = request;
    // serialised once: the retry after an upload sends the same bytes
    const body = json({ modelSha256: model.sha256, features });
    const call = { timeoutMs: options.timeoutMs ?? this.timeoutMs, signal: options.signal };
    try {
      return await this.request("POST", `/predict/${method}`, body, PredictResponseSchema, call);
    } catch (err) {
      if (!isModelNotCached(err)) throw err;
    }
    await this.uploadModel(model.sha256, await model.load(), options);
    return this.request("POST", `/predict/${method}`, body, PredictResponseSchema, call);
  }

  /** Puts a model into the server's cache; the server checks that the bytes hash to `sha256`. */
  uploadModel(sha256: string, bytes: Uint8Array, options: CallOptions = {}): Promise<ModelUploadResponse> {
    return this.request(
      "PUT",
      `/models/${encodeURIComponent(sha256)}`,
      { type: "application/octet-stream", data: bytes },
      ModelUploadResponseSchema,
      { timeoutMs: options.timeoutMs ?? this.timeoutMs, signal: options.signal },
    );
  }

  /** A model from the server's cache, its sha256 checked (404 model_not_cached when absent). */
  async downloadModel(sha256: string, options: CallOptions = {}): Promise<Buffer> {
    const url = `${this.baseUrl}/models/${encodeURIComponent(sha256)}`;
    const res = await sendRequest(
      url,
      "GET",
      undefined,
      options.timeoutMs ?? this.timeoutMs,
      options.signal,
      "application/octet-stream",
    );
    if (res.status !== 200) throwErrorResponse(url, res);
    const actual = sha256Hex(res.body);
    if (actual !== sha256)
      throw new RServerResponseError(url, `the model's bytes hash to ${actual}, not ${sha256}`);
    return res.body;
  }

  private async request<S extends z.ZodType>(
    method: "GET" | "POST" | "PUT" | "DELETE",
    path: string,
    payload: Payload | undefined,
    schema: S,
    options: { timeoutMs: number; signal?: AbortSignal | undefined },
  ): Promise<z.infer<S>> {
    const url = `${this.baseUrl}${path}`;
    const res = await sendRequest(url, method, payload, options.timeoutMs, options.signal);
    if (res.status >= 400) throwErrorResponse(url, res);
    const text = res.body.toString("utf8");
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (err) {
      throw new RServerResponseError(url, `status ${res.status}, body is not JSON: ${text.slice(0, 200)}`, {
        cause: err,
      });
    }
    if (res.status < 200 || res.status >= 300) {
      throw new RServerResponseError(url, `unexpected status ${res.status}`);
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      throw new RServerResponseError(url, parsed.error.message, { cause: parsed.error });
    }
    return parsed.data;
  }
}

interface Payload {
  type: string;
  data: string | Uint8Array;
}

function json(body: unknown): Payload {
  return { type: "application/json", data: JSON.stringify(body) };
}

/** A 4xx/5xx answer as the matching error (the server's JSON error body when there is one). */
function throwErrorResponse(url: string, res: RawResponse): never {
  const text = res.body.toString("utf8");
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: the text itself is the message
  }
  const parsed = ErrorResponseSchema.safeParse(body);
  const message = parsed.success ? parsed.data.error : text.slice(0, 500);
  if (res.status >= 500) throw new RServerInternalError(url, res.status, message);
  if (res.status >= 400)
    throw new RServerRequestError(
      url,
      res.status,
      message,
      parsed.success ? parsed.data.details : undefined,
      parsed.success ? parsed.data.code : undefined,
    );
  throw new RServerResponseError(url, `unexpected status ${res.status}`);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason ?? new Error("aborted"));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason ?? new Error("aborted"));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

interface RawResponse {
  status: number;
  body: Buffer;
}

function sendRequest(
  url: string,
  method: string,
  payload: Payload | undefined,
  timeoutMs: number,
  signal?: AbortSignal,
  accept = "application/json",
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason ?? new Error("aborted"));
      return;
    }
    const target = new URL(url);
    const mod = target.protocol === "https:" ? https : http;
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      fn();
    };
    const headers: Record<string, string | number> = { accept };
    if (payload !== undefined) {
      headers["content-type"] = payload.type;
      headers["content-length"] =
        typeof payload.data === "string" ? Buffer.byteLength(payload.data) : payload.data.byteLength;
    }
    const req = mod.request(target, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        finish(() => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) })),
      );
      res.on("error", (err) => finish(() => reject(new RServerUnavailableError(url, err))));
    });
    const timer = setTimeout(() => {
      finish(() => reject(new RServerTimeoutError(url, timeoutMs)));
      req.destroy();
    }, timeoutMs);
    const onAbort = () => {
      finish(() => reject(signal?.reason ?? new Error("aborted")));
      req.destroy();
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    req.on("error", (err) => finish(() => reject(new RServerUnavailableError(url, err))));
    if (payload !== undefined) req.end(payload.data);
    else req.end();
  });
}

/** One-shot helpers for callers that do not keep a client around. */
export interface ConnectionOptions extends RClientOptions {
  signal?: AbortSignal;
}

export function trainClassifier<M extends ClassifierMethod>(
  request: TrainRequest<M> & ConnectionOptions,
): Promise<TrainResult> {
  const { baseUrl, timeoutMs, trainTimeoutMs, signal, ...rest } = request;
  return new RClient({ baseUrl, timeoutMs, trainTimeoutMs }).train(rest as TrainRequest<M>, { signal });
}

export function predict(request: PredictRequest & ConnectionOptions): Promise<PredictResponse> {
  const { baseUrl, timeoutMs, trainTimeoutMs, signal, ...rest } = request;
  return new RClient({ baseUrl, timeoutMs, trainTimeoutMs }).predict(rest, { signal });
}
