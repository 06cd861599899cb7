// Runs r_code/clustering.R in its own Rscript process on files in a temporary directory. A separate
// process (not a request to the plumber server) means a long clustering never blocks /ping or
// prediction, frees all its memory when it exits, and a crash in it cannot take the server down.
// The feature matrix goes over as raw little-endian float32 (n x d x 4 bytes, no text parsing); the
// answers come back the same way.
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { TAlgorithm, TAlgorithmParams } from "./schemas.ts";

export const CLUSTERING_SCRIPT = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../../../r_code/clustering.R",
);

export interface RClusteringJob {
  n: number;
  d: number;
  data: Float32Array;
  algorithm: TAlgorithm;
  params: TAlgorithmParams;
  embedding: "auto" | "umap" | "tsne" | "pca";
  seed?: number;
  nonlinearMax?: number;
  kMin?: number;
  kMax?: number;
}

export interface RClusterInfo {
  index: number;
  size: number;
  /** Row of the member nearest the centroid. */
  representative: number;
  centroid: number[];
}

export interface RClusteringResult {
  labels: Int32Array;
  confidence: Float32Array;
  /** x, y interleaved. */
  embedding: Float32Array;
  clusters: RClusterInfo[];
  noise: number;
  silhouette: number | null;
  sweep: { k: number; silhouette: number | null }[] | null;
  embeddingMethod: string;
  usedFeatures: number;
  fitSample: number;
  chosen: Record<string, number | null>;
  rVersion: string;
  packages: Record<string, string>;
}

/** The R side refused the input (e.g. k larger than the calls): retrying cannot help. */
export class ClusteringInputError extends Error {
  override name = "ClusteringInputError";
}

const KILL_GRACE_MS = 3000;

export interface RunROptions {
  script?: string;
  rscript?: string;
  signal?: AbortSignal;
  onProgress?: (fraction: number, stage: string) => void;
}

function view<T extends Int32Array | Float32Array>(
  buf: Buffer,
  Ctor: { new (b: ArrayBuffer, o: number, l: number): T; BYTES_PER_ELEMENT: number },
  expected: number,
  name: string,
): T {
  if (buf.byteLength !== expected * Ctor.BYTES_PER_ELEMENT)
    throw new Error(
      `${name} from R has ${buf.byteLength} bytes, expected ${expected * Ctor.BYTES_PER_ELEMENT}`,
    );
  // copy into an aligned buffer of its own (Buffer pools are not 4-byte aligned)
  const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  return new Ctor(ab, 0, expected);
}

export async function runRClustering(
  job: RClusteringJob,
  options: RunROptions = {},
): Promise<RClusteringResult> {
  const dir = await mkdtemp(path.join(tmpdir(), "battycoda-clustering-"));
  try {
    const rows = job.data.subarray(0, job.n * job.d);
    await writeFile(
      path.join(dir, "features.f32"),
      new Uint8Array(rows.buffer, rows.byteOffset, rows.byteLength),
    );
    await writeFile(
      path.join(dir, "job.json"),
      JSON.stringify({
        n: job.n,
        d: job.d,
        algorithm: job.algorithm,
        params: job.params,
        embedding: job.embedding,
        seed: job.seed ?? 42,
        nonlinearMax: job.nonlinearMax ?? 20_000,
        kMin: job.kMin ?? 2,
        kMax: job.kMax ?? 10,
      }),
    );
    await new Promise<void>((resolve, reject) => {
      const child = spawn(
        options.rscript ?? "Rscript",
        ["--vanilla", options.script ?? CLUSTERING_SCRIPT, dir],
        {
          stdio: ["ignore", "ignore", "pipe"],
        },
      );
      let stderr = "";
      child.stderr.on("data", (c: Buffer) => {
        stderr = (stderr + c.toString("utf8")).slice(-4000);
      });
      // R exits on SIGTERM between statements; one stuck in compiled code gets SIGKILL a moment later
      let hardKill: NodeJS.Timeout | undefined;
      const kill = () => {
        child.kill("SIGTERM");
        hardKill = setTimeout(() => child.kill("SIGKILL"), KILL_GRACE_MS);
      };
      if (options.signal?.aborted) kill();
      else options.signal?.addEventListener("abort", kill, { once: true });
      const timer = setInterval(() => {
        readFile(path.join(dir, "progress.json"), "utf8")
          .then((t) => {
            const p = JSON.parse(t) as { fraction: number; stage: string };
            options.onProgress?.(p.fraction, p.stage);
          })
          .catch(() => undefined);
      }, 500);
      child.on("error", (err) => {
        clearInterval(timer);
        reject(new Error(`could not start Rscript: ${err.message}`));
      });
      child.on("close", async (code, sig) => {
        clearInterval(timer);
        clearTimeout(hardKill);
        options.signal?.removeEventListener("abort", kill);
        if (code === 0) return resolve();
        const e = await readFile(path.join(dir, "error.json"), "utf8").catch(() => null);
        if (e) {
          const parsed = JSON.parse(e) as { message: string; kind: string };
          return reject(
            parsed.kind === "input" ? new ClusteringInputError(parsed.message) : new Error(parsed.message),
          );
        }
        const tail = stderr.trim().split("\n").slice(-5).join(" | ");
        reject(
          new Error(`the clustering process exited with ${sig ?? `code ${code}`}${tail ? `: ${tail}` : ""}`),
        );
      });
    });
    const result = JSON.parse(await readFile(path.join(dir, "result.json"), "utf8")) as Omit<
      RClusteringResult,
      "labels" | "confidence" | "embedding" | "embeddingMethod"
    > & { embedding: string };
    return {
      ...result,
      clusters: result.clusters ?? [],
      sweep: result.sweep ?? null,
      silhouette: result.silhouette ?? null,
      embeddingMethod: result.embedding,
      labels: view(await readFile(path.join(dir, "labels.i32")), Int32Array, job.n, "labels"),
      confidence: view(await readFile(path.join(dir, "confidence.f32")), Float32Array, job.n, "confidence"),
      embedding: view(await readFile(path.join(dir, "embedding.f32")), Float32Array, 2 * job.n, "embedding"),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
