// The original /simple-api/ workflow as old scripts run it, with multipart requests over a real
// socket: upload (+ pickle, + auto-split), segment, classify, classification runs with
// result_summary, create-task-batch with confidence_threshold, tasks by call type with limit/offset.
// api_key goes in the query or the form as the original took it; the answers carry deprecation
// headers, and a header key works without them.
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BAT_PICKLE, BAT_WAV, type ScriptingEnv, startScriptingEnv } from "./rest-env.ts";

let env: ScriptingEnv;
const POLL = { timeout: 180_000, interval: 500 };

beforeAll(async () => {
  // 10 s parts (the original split at 60 s): the 8.9 s reference file stays whole, twice it splits.
  env = await startScriptingEnv({ env: { RECORDING_SPLIT_SECONDS: "10" } });
}, 120_000);
afterAll(async () => {
  await env?.close();
});

type Json = Record<string, unknown> & { success: boolean; error?: string };

async function call(
  method: "GET" | "POST",
  path: string,
  options: { query?: Record<string, string>; form?: FormData; headers?: Record<string, string> } = {},
) {
  const url = new URL(`/simple-api${path}`, env.baseUrl);
  for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, v);
  const res = await fetch(url, {
    method,
    ...(options.form ? { body: options.form } : {}),
    headers: options.headers ?? {},
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Json };
}

const key = () => env.alice.apiKey;
const form = (fields: Record<string, string | Blob>, withKey = true) => {
  const f = new FormData();
  if (withKey) f.append("api_key", key());
  for (const [k, v] of Object.entries(fields))
    if (v instanceof Blob) f.append(k, v, k === "pickle_file" ? "bat1.wav.pickle" : "bat1.wav");
    else f.append(k, v);
  return f;
};

describe("/simple-api/ workflow", () => {
  it("runs the original workflow with multipart requests and the original answers", async () => {
    const user = await call("GET", "/user/", { query: { api_key: key() } });
    expect(user.status).toBe(200);
    expect(user.body).toEqual({
      success: true,
      user: {
        username: "alice",
        email: "alice@example.org",
        group_name: expect.any(String),
        is_group_admin: true,
        api_key_active: true,
      },
    });
    expect(user.headers.get("deprecation")).toBe("true");
    expect(user.headers.get("sunset")).toMatch(/GMT$/);
    expect(user.headers.get("link")).toContain('rel="successor-version"');

    // A header key is the supported way: no deprecation headers.
    const viaHeader = await call("GET", "/species/", { headers: { authorization: `Bearer ${key()}` } });
    expect(viaHeader.status).toBe(200);
    expect(viaHeader.headers.get("deprecation")).toBeNull();
    const species = (viaHeader.body.species as { id: string; name: string }[]).find(
      (s) => s.name === "Eptesicus fuscus",
    );
    expect(species).toBeDefined();
    expect(viaHeader.body.count).toBe((viaHeader.body.species as unknown[]).length);
    const speciesId = species?.id as string;

    // Upload with a pickle: one recording and its segmentation.
    const wav = new Blob([await readFile(BAT_WAV)], { type: "audio/wav" });
    const pickle = new Blob([await readFile(BAT_PICKLE)]);
    const missing = await call("POST", "/upload/", { form: form({ name: "x" }) });
    expect(missing).toMatchObject({
      status: 400,
      body: { success: false, error: "Missing required fields: name, species_id, wav_file" },
    });
    const badDate = await call("POST", "/upload/", {
      form: form({ name: "x", species_id: speciesId, wav_file: wav, recorded_date: "04/12/2026" }),
    });
    expect(badDate.body).toEqual({ success: false, error: "Invalid date format. Use YYYY-MM-DD" });

    // Longer than the split length: split, with the parts' ids and names.
    const twice = new Blob([doubled(await readFile(BAT_WAV))], { type: "audio/wav" });
    const split = await call("POST", "/upload/", {
      form: form({ name: "long night", species_id: speciesId, wav_file: twice }),
    });
    expect(split.status).toBe(200);
    expect(split.body).toMatchObject({ success: true, split: true, chunks_created: 2 });
    expect(split.body.original_duration).toBeCloseTo(2 * 8.8968, 3);
    const parts = split.body.recordings as { id: string; name: string }[];
    expect(parts.map((p) => p.name)).toEqual([expect.stringContaining("1"), expect.stringContaining("2")]);
    await expect
      .poll(async () => {
        const list = await call("GET", "/recordings/", { query: { api_key: key() } });
        return (list.body.recordings as { id: string }[]).map((r) => r.id);
      }, POLL)
      .toEqual(expect.arrayContaining(parts.map((p) => p.id)));

    // Within the split length, with its pickle: one recording and its segmentation.
    const project = (await (
      await fetch(`${env.baseUrl}/api/v1/projects`, {
        method: "POST",
        headers: { authorization: `Bearer ${key()}`, "content-type": "application/json" },
        body: JSON.stringify({ name: "Field 2026" }),
      })
    ).json()) as { id: string };
    const uploaded = await call("POST", "/upload/", {
      form: form({
        name: "bat1",
        species_id: speciesId,
        wav_file: wav,
        pickle_file: pickle,
        project_id: project.id,
        location: "Cave 3",
        recorded_date: "2026-06-01",
      }),
    });
    expect(uploaded.body).toMatchObject({
      success: true,
      split: false,
      recording: { name: "bat1", species_name: "Eptesicus fuscus", project_name: "Field 2026" },
      segmentation: { name: "API Upload Segmentation" },
    });
    const recordingId = (uploaded.body.recording as { id: string }).id;
    await expect
      .poll(async () => {
        const list = await call("GET", "/recordings/", { query: { api_key: key() } });
        return (list.body.recordings as { id: string; location: string; has_segmentation: boolean }[]).find(
          (r) => r.id === recordingId,
        );
      }, POLL)
      .toMatchObject({ location: "Cave 3", recorded_date: "2026-06-01", has_segmentation: true });

    const projects = await call("GET", "/projects/", { query: { api_key: key() } });
    expect((projects.body.projects as { id: string }[]).find((p) => p.id === project.id)).toEqual({
      id: project.id,
      name: "Field 2026",
      description: "",
      species_name: "Eptesicus fuscus",
      species_id: speciesId,
      recording_count: 1,
    });

    // A pickle onto an existing recording: a new segmentation with the original's answer.
    const pickled = await call("POST", `/recordings/${recordingId}/upload-pickle/`, {
      form: form({ pickle_file: pickle, name: "from pickle" }),
    });
    expect(pickled.body).toMatchObject({
      success: true,
      recording: { id: recordingId, name: "bat1" },
      segmentation: { name: "from pickle", segments_count: 42 },
    });
    const notMine = await call("POST", `/recordings/${recordingId}/upload-pickle/`, {
      form: form({ pickle_file: pickle }, false),
      headers: { "x-api-key": env.mallory.apiKey },
    });
    expect(notMine).toMatchObject({ status: 404, body: { success: false } });

    // Segment (the original's three parameters) and list algorithms.
    const algorithms = await call("GET", "/algorithms/", { query: { api_key: key() } });
    const threshold = (
      algorithms.body.algorithms as { id: string; algorithm_type: string; default_min_duration_ms: number }[]
    ).find((a) => a.algorithm_type === "threshold");
    expect(threshold?.default_min_duration_ms).toBe(10);
    const badParam = await call("POST", `/recordings/${recordingId}/segment/`, {
      form: form({ algorithm_id: threshold?.id as string, threshold_factor: "11" }),
    });
    expect(badParam.body).toEqual({
      success: false,
      error: "Invalid parameter: Threshold factor must be between 0 and 10",
    });
    const segmented = await call("POST", `/recordings/${recordingId}/segment/`, {
      form: form({ algorithm_id: threshold?.id as string, min_duration_ms: "5" }),
    });
    expect(segmented.body).toMatchObject({
      success: true,
      message: expect.stringContaining("Segmentation started using"),
      segmentation: { algorithm_name: expect.any(String), task_id: expect.any(String) },
    });

    // Classify the pickle's segmentation with a classifier trained over /api/v1 from a CSV.
    const train = await fetch(`${env.baseUrl}/api/v1/classifiers`, {
      method: "POST",
      headers: { authorization: `Bearer ${key()}`, "content-type": "application/json" },
      body: JSON.stringify({
        name: "small LDA",
        speciesId,
        type: "lda",
        source: { kind: "csv", csvText: env.trainingCsv },
      }),
    });
    expect(train.status).toBe(202);
    const classifiers = async () =>
      (await call("GET", "/classifiers/", { query: { api_key: key() } })).body.classifiers as {
        id: string;
        name: string;
        species_id: string | null;
      }[];
    await expect.poll(async () => (await classifiers()).map((c) => c.name), POLL).toContain("small LDA");
    const classifier = (await classifiers()).find((c) => c.name === "small LDA");
    expect(classifier?.species_id).toBe(speciesId);

    const segmentationId = (pickled.body.segmentation as { id: string }).id;
    const noClassifier = await call("POST", `/segmentations/${segmentationId}/classify/`, { form: form({}) });
    expect(noClassifier.body).toEqual({ success: false, error: "classifier_id is required" });
    const classified = await call("POST", `/segmentations/${segmentationId}/classify/`, {
      form: form({ classifier_id: classifier?.id as string }),
    });
    expect(classified.body).toMatchObject({
      success: true,
      message: "Classification started using small LDA",
      classification_run: {
        status: expect.stringMatching(/^(queued|running|completed)$/),
        classifier_name: "small LDA",
        recording_name: "bat1",
      },
    });
    const runId = (classified.body.classification_run as { id: string }).id;
    const runsAnswer = () =>
      call("GET", "/classification-runs/", { query: { api_key: key(), recording_id: recordingId } });
    const runs = async () =>
      (await runsAnswer()).body.classification_runs as {
        id: string;
        status: string;
        result_summary: Record<string, number>;
      }[];
    // The whole answer while waiting, so a failure shows what the server said.
    await expect
      .poll(async () => JSON.stringify((await runsAnswer()).body), POLL)
      .toMatch(/"status":"completed"/);
    const run = (await runs())[0];
    expect(run?.id).toBe(runId);
    const summaryTotal = Object.values(run?.result_summary ?? {}).reduce((a, b) => a + b, 0);
    expect(summaryTotal).toBe(42); // the pickle's 42 calls

    // A task batch of the calls at or below a confidence, then tasks by call type, paged by offset.
    const tooHigh = await call("POST", `/classification-runs/${runId}/create-task-batch/`, {
      form: form({ name: "check", confidence_threshold: "1.5" }),
    });
    expect(tooHigh.body).toEqual({
      success: false,
      error: "Invalid confidence threshold: Confidence threshold must be between 0 and 1",
    });
    const created = await call("POST", `/classification-runs/${runId}/create-task-batch/`, {
      form: form({ name: "check", description: "from R", confidence_threshold: "1" }),
    });
    expect(created.body).toMatchObject({
      success: true,
      message: "Task batch created successfully",
      task_batch: { name: "check", description: "from R", total_tasks: 42, species_name: "Eptesicus fuscus" },
    });
    const batchId = (created.body.task_batch as { id: string }).id;
    const batches = await call("GET", "/task-batches/", { query: { api_key: key() } });
    expect(batches.body.task_batches).toEqual([
      expect.objectContaining({ id: batchId, total_tasks: 42, completed_tasks: 0, progress_percentage: 0 }),
    ]);
    const [topType, topCount] = Object.entries(run?.result_summary ?? {}).sort((a, b) => b[1] - a[1])[0] as [
      string,
      number,
    ];
    const page = await call("GET", `/task-batches/${batchId}/tasks/`, {
      query: { api_key: key(), call_type: topType, limit: "3", offset: "1" },
    });
    expect(page.body.pagination).toEqual({
      total: topCount,
      limit: 3,
      offset: 1,
      has_next: 1 + 3 < topCount,
      has_previous: true,
    });
    const tasks = page.body.tasks as { classification_result: string; is_done: boolean }[];
    expect(tasks.length).toBe(Math.min(3, topCount - 1));
    expect(tasks.every((t) => t.classification_result === topType && !t.is_done)).toBe(true);
    expect(
      (page.body.task_batch as { available_call_types: string[] }).available_call_types.length,
    ).toBeGreaterThan(0);
    const all = await call("GET", `/task-batches/${batchId}/tasks/`, {
      query: { api_key: key(), call_type: "all" },
    });
    expect((all.body.pagination as { total: number }).total).toBe(42);
  }, 600_000);

  it("rotates the key with generate-key/ (the old key stops working)", async () => {
    const old = env.mallory.apiKey;
    const res = await call("POST", "/generate-key/", {
      form: form({}, false),
      headers: { "x-api-key": old },
    });
    expect(res.body).toMatchObject({ success: true, message: "New API key generated successfully" });
    const fresh = res.body.api_key as string;
    expect((await call("GET", "/user/", { query: { api_key: old } })).status).toBe(401);
    expect((await call("GET", "/user/", { query: { api_key: fresh } })).body.success).toBe(true);
  });
});

/** The same audio twice in one WAV (twice the duration, same format). */
function doubled(wav: Buffer): Buffer {
  const chunks = new Map<string, Buffer>();
  for (let off = 12; off + 8 <= wav.length; ) {
    const size = wav.readUInt32LE(off + 4);
    chunks.set(wav.toString("ascii", off, off + 4), wav.subarray(off + 8, off + 8 + size));
    off += 8 + size + (size % 2);
  }
  const fmt = chunks.get("fmt ") as Buffer;
  const data = chunks.get("data") as Buffer;
  const header = Buffer.alloc(12 + 8 + fmt.length + 8);
  header.write("RIFF", 0, "ascii");
  header.writeUInt32LE(4 + 8 + fmt.length + 8 + data.length * 2, 4);
  header.write("WAVE", 8, "ascii");
  header.write("fmt ", 12, "ascii");
  header.writeUInt32LE(fmt.length, 16);
  fmt.copy(header, 20);
  header.write("data", 20 + fmt.length, "ascii");
  header.writeUInt32LE(data.length * 2, 24 + fmt.length);
  return Buffer.concat([header, data, data]);
}
