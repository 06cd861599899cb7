// The original workflow (upload → segment → classify → task batch → tasks, plus training and the
// exports) through /api/v1 with the typed client generated from the OpenAPI document: every call
// below is type-checked against the document, so a route the document lacks cannot compile.
import { readFile } from "node:fs/promises";
import { type BattyCodaClient, createBattyCodaClient } from "@battycoda/api-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BAT_WAV, type ScriptingEnv, startScriptingEnv } from "./rest-env.ts";

let env: ScriptingEnv;
let api: BattyCodaClient;
const POLL = { timeout: 180_000, interval: 500 };

beforeAll(async () => {
  env = await startScriptingEnv();
  api = createBattyCodaClient({ baseUrl: env.baseUrl, apiKey: env.alice.apiKey });
}, 120_000);
afterAll(async () => {
  await env?.close();
});

/** The data of a successful call, or a failure naming the status and body. */
function ok<T>(r: { data?: T; error?: unknown; response: Response }, status = 200): T {
  expect(r.response.status, JSON.stringify(r.error)).toBe(status);
  return r.data as T;
}

async function jobStatus(jobId: string) {
  return ok(await api.GET("/api/v1/jobs/{jobId}", { params: { path: { jobId } } })).status;
}

describe("/api/v1 workflow with the generated client", () => {
  it("uploads, segments, trains, classifies, builds a task batch, pages its tasks and exports", async () => {
    const me = ok(await api.GET("/api/v1/me"));
    expect(me?.username).toBe("alice");

    const species = ok(
      await api.POST("/api/v1/species", {
        body: {
          name: "Eptesicus fuscus (script)",
          callTypes: env.callTypes.map((shortName) => ({ shortName })),
        },
      }),
      201,
    );
    const project = ok(await api.POST("/api/v1/projects", { body: { name: "Scripted" } }), 201);

    // Training from a features CSV, followed through the jobs API.
    const training = ok(
      await api.POST("/api/v1/classifiers", {
        body: {
          name: "small LDA",
          speciesId: species.id,
          type: "lda",
          source: { kind: "csv", csvText: env.trainingCsv },
        },
      }),
      202,
    );
    await expect.poll(() => jobStatus(training.jobId), POLL).toBe("completed");
    const trainings = ok(
      await api.GET("/api/v1/training-jobs", { params: { query: { speciesId: species.id } } }),
    );
    const classifierId = trainings.find((j) => j.id === training.trainingJobId)?.classifierId;
    expect(classifierId).toBeTruthy();
    const classifier = ok(
      await api.GET("/api/v1/classifiers/{classifierId}", {
        params: { path: { classifierId: classifierId as string } },
      }),
    );
    expect(classifier.classes.sort()).toEqual(env.callTypes);

    // Upload (multipart) and wait for processing.
    const wav = await readFile(BAT_WAV);
    const uploaded = ok(
      await api.POST("/api/v1/recordings", {
        body: {
          file: new Blob([wav], { type: "audio/wav" }) as unknown as string,
          name: "bat1",
          speciesId: species.id,
          projectId: project.id,
        },
        bodySerializer(body) {
          const form = new FormData();
          for (const [k, v] of Object.entries(body)) {
            if ((v as unknown) instanceof Blob) form.append(k, v as unknown as Blob, "bat1_angie_19.wav");
            else if (typeof v === "string") form.append(k, v);
          }
          return form;
        },
      }),
      201,
    );
    const recordingId = uploaded.recording.id;
    await expect
      .poll(
        async () =>
          ok(await api.GET("/api/v1/recordings/{recordingId}", { params: { path: { recordingId } } }))
            .processingStatus,
        POLL,
      )
      .toBe("ready");

    // Segment with a listed algorithm.
    const algorithms = ok(await api.GET("/api/v1/algorithms"));
    expect(algorithms.map((a) => a.key)).toContain("spectral");
    const started = ok(
      await api.POST("/api/v1/recordings/{recordingId}/segmentations", {
        params: { path: { recordingId } },
        body: { algorithmKey: "spectral", params: { threshold_db: 6, release_db: 3 } },
      }),
      202,
    );
    const segmentationId = started.segmentationId;
    await expect
      .poll(
        async () =>
          ok(
            await api.GET("/api/v1/segmentations/{segmentationId}", { params: { path: { segmentationId } } }),
          ).status,
        POLL,
      )
      .toBe("completed");
    const segments = ok(
      await api.GET("/api/v1/segmentations/{segmentationId}/segments", {
        params: { path: { segmentationId }, query: { pageSize: 5 } },
      }),
    );
    expect(segments.total).toBeGreaterThan(10);
    expect(segments.items).toHaveLength(5);

    // Classify with the trained classifier; read results with probabilities.
    const run = ok(
      await api.POST("/api/v1/classification-runs", {
        body: { segmentationId, classifierId: classifierId as string },
      }),
      202,
    );
    const runId = run.runId;
    await expect
      .poll(
        async () =>
          ok(await api.GET("/api/v1/classification-runs/{runId}", { params: { path: { runId } } })).status,
        POLL,
      )
      .toBe("completed");
    const runs = ok(await api.GET("/api/v1/classification-runs", { params: { query: { recordingId } } }));
    expect(runs.items.map((r) => r.id)).toEqual([runId]);
    // Every result, page by page (nextCursor → cursor).
    const results = {
      total: 0,
      items: [] as {
        confidence: number | null;
        predictedLabel: string | null;
        probabilities: { callType: string; probability: number }[];
      }[],
    };
    let cursor: string | undefined;
    do {
      const page = ok(
        await api.GET("/api/v1/classification-runs/{runId}/results", {
          params: { path: { runId }, query: { limit: 500, ...(cursor ? { cursor } : {}) } },
        }),
      );
      results.total = page.total;
      results.items.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(results.items).toHaveLength(results.total);
    expect(results.total).toBe(segments.total);
    const first = results.items[0];
    expect(first?.probabilities.map((p) => p.callType).sort()).toEqual(env.callTypes);
    const sum = (first?.probabilities ?? []).reduce((a, p) => a + p.probability, 0);
    expect(sum).toBeCloseTo(1, 5);
    const csv = await api.GET("/api/v1/classification-runs/{runId}/results.csv", {
      params: { path: { runId } },
      parseAs: "text",
    });
    expect(csv.response.headers.get("content-type")).toMatch(/text\/csv/);
    expect((csv.data as string).split("\n").filter((l) => l && !l.startsWith("#")).length).toBe(
      segments.total + 1,
    );

    // A task batch of the less confident calls, then its tasks by predicted call type, paged.
    const threshold = 0.99;
    const expected = results.items.filter((r) => (r.confidence ?? 0) <= threshold);
    const batch = ok(
      await api.POST("/api/v1/task-batches", {
        body: { name: "uncertain", source: { kind: "run", runId }, confidenceThreshold: threshold },
      }),
      201,
    );
    const batchId = batch.batchId;
    const detail = ok(await api.GET("/api/v1/task-batches/{batchId}", { params: { path: { batchId } } }));
    expect(detail.taskCount).toBe(expected.length);
    const topType = [...new Set(expected.map((r) => r.predictedLabel))][0] as string;
    const ofType = expected.filter((r) => r.predictedLabel === topType).length;
    const page1 = ok(
      await api.GET("/api/v1/task-batches/{batchId}/tasks", {
        params: { path: { batchId }, query: { callType: topType, limit: 2 } },
      }),
    );
    expect(page1.total).toBe(ofType);
    expect(page1.items.every((t) => t.predictedLabel === topType)).toBe(true);
    if (ofType > 2) {
      const page2 = ok(
        await api.GET("/api/v1/task-batches/{batchId}/tasks", {
          params: {
            path: { batchId },
            query: { callType: topType, limit: 2, cursor: page1.nextCursor as string },
          },
        }),
      );
      expect(page2.items[0]?.id).not.toBe(page1.items[0]?.id);
    }
    const exported = await api.GET("/api/v1/task-batches/{batchId}/export.csv", {
      params: { path: { batchId } },
      parseAs: "text",
    });
    expect(exported.response.status).toBe(200);
    expect(exported.data as string).toContain(topType);
    const zip = await api.GET("/api/v1/task-batches/export.zip", {
      params: { query: { batchIds: [batchId] } },
      parseAs: "arrayBuffer",
    });
    expect(zip.response.headers.get("content-type")).toBe("application/zip");
    expect(
      Buffer.from(zip.data as ArrayBuffer)
        .subarray(0, 2)
        .toString(),
    ).toBe("PK");

    // Jobs of the group include the segmentation and the run.
    const jobs = ok(await api.GET("/api/v1/jobs"));
    expect(jobs.map((j) => j.id)).toEqual(expect.arrayContaining([started.jobId, training.jobId]));
  }, 600_000);
});
