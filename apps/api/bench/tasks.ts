// `pnpm bench tasks`: the annotation screen's two requests on loopback against the real API
// process (same buildServer as main.ts), with 100 000 tasks in one batch: p50/p99 of "next task"
// (tRPC tasks.nextTask over HTTP, API key) as an annotator moves along, when resuming a batch that is
// half or almost done, of "save → next" (saveLabel), and of the task's spectrogram PNG (detail view:
// call ± the species' detail padding). Target (issue 10): p99 < 50 ms each.
import { type ChildProcess, fork } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { generateApiKey, LocalMediaStore, registerUser } from "@battycoda/core";
import { createBoss } from "@battycoda/core/jobs";
import { generateSpectrogram, ProcessingPool } from "@battycoda/core/processing";
import { createBatch } from "@battycoda/core/tasks";
import { createPrismaClient } from "@battycoda/db";
import { startEmbeddedPostgres } from "@battycoda/db/embedded";
import { migrateDatabase } from "@battycoda/db/migrate";
import { accessFor, createScene } from "../../../packages/core/test/classification-fixtures.ts";
import { createTaskWorld } from "../../../packages/core/test/tasks-fixtures.ts";

const TASKS = Number(process.env.BENCH_TASKS ?? 100_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 400);
const here = import.meta.dirname;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

function report(label: string, ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  const p99 = percentile(s, 99);
  console.log(
    `${label.padEnd(44)} n=${String(s.length).padStart(4)}  p50 ${percentile(s, 50).toFixed(1).padStart(6)} ms  p99 ${p99.toFixed(1).padStart(6)} ms  ${p99 < 50 ? "(< 50 ms target: met)" : "(< 50 ms target: MISSED)"}`,
  );
}

const root = await mkdtemp(path.join(os.tmpdir(), "battycoda-bench-tasks-"));
const mediaRoot = path.join(root, "media");
const pg = await startEmbeddedPostgres({ dir: path.join(root, "pg"), ephemeral: true });
let api: ChildProcess | undefined;
const pool = new ProcessingPool({ threads: 1 });
try {
  await migrateDatabase(pg.url);
  const db = createPrismaClient(pg.url);
  const boss = await createBoss(pg.url);
  const t0 = performance.now();
  const user = await registerUser(
    { db },
    {
      email: "bench@example.org",
      username: "bench",
      password: "bench-password-1",
    },
  );
  const { key } = await generateApiKey({ db }, user.id);
  const groupId = (await db.membership.findFirstOrThrow({ where: { userId: user.id } })).groupId;
  const access = { ...accessFor(groupId, user.id) };

  // 100 000 tasks (rows only) for next-task, a real recording with its spectrogram for the PNGs
  const world = await createTaskWorld(db, { groupId, users: 0, recordings: [{ calls: TASKS }] });
  const big = await createBatch(
    { db, boss: null },
    access,
    { name: "bench 100k", source: { kind: "run", runId: world.recordings[0]?.runId as string } },
    { inlineLimit: Number.POSITIVE_INFINITY },
  );
  const scene = await createScene(db, mediaRoot, root, {
    calls: 600,
    groupId,
    sampleRate: 192_000,
    spacing: 0.03,
  });
  await generateSpectrogram(
    { db, boss, media: new LocalMediaStore(mediaRoot), splitSeconds: 3600, pool },
    scene.recordingId,
  );
  const small = await createBatch({ db, boss: null }, access, {
    name: "bench audio",
    source: { kind: "segmentation", segmentationId: scene.segmentationId },
  });
  await db.$executeRawUnsafe("VACUUM ANALYZE");
  console.log(
    `# tasks bench: ${await db.task.count({ where: { batchId: big.batchId } })} tasks in one batch, ${SAMPLES} requests per figure (set-up ${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );

  api = fork(path.join(here, "ingest-api.ts"), [], {
    execArgv: process.execArgv,
    env: { ...process.env, DATABASE_URL: pg.url, DATA_DIR: path.join(root, "data"), MEDIA_ROOT: mediaRoot },
    stdio: "inherit",
  });
  const port = await new Promise<number>((resolve) =>
    api?.once("message", (m) => resolve((m as { port: number }).port)),
  );
  const base = `http://127.0.0.1:${port}`;
  const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
  type Task = { id: string; position: number; onset: number; offset: number; recording: { id: string } };
  const call = async (proc: string, input: unknown): Promise<{ ms: number; data: unknown }> => {
    const started = performance.now();
    const res = await fetch(`${base}/trpc/${proc}`, { method: "POST", headers, body: JSON.stringify(input) });
    const body = (await res.json()) as { result?: { data: unknown }; error?: unknown };
    const ms = performance.now() - started;
    if (!res.ok) throw new Error(`${proc}: ${res.status} ${JSON.stringify(body.error)}`);
    return { ms, data: body.result?.data };
  };
  const next = async (input: Record<string, unknown>) => {
    const r = await call("tasks.nextTask", input);
    return { ms: r.ms, task: (r.data as { tasks: Task[] }).tasks[0] };
  };

  // warm-up (connections, JIT, plan cache)
  let cur = (await next({ batchId: big.batchId })).task;
  for (let i = 0; i < 30; i++) cur = (await next({ batchId: big.batchId, afterTaskId: cur?.id })).task;

  const moving: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const r = await next({ batchId: big.batchId, afterTaskId: cur?.id, take: 3 });
    moving.push(r.ms);
    cur = r.task;
  }
  report("next task, moving along (take 3)", moving);

  const saving: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const r = await call("tasks.saveLabel", { taskId: cur?.id, label: "A" });
    saving.push(r.ms);
    cur = (r.data as { next: Task | null }).next ?? undefined;
  }
  report("save label → next task", saving);

  // Resuming without a task id: the baseline drops the migration's partial index over open tasks
  // (then it walks the (batchId, position) index past every done task), then puts it back.
  for (const withIndex of [false, true]) {
    await db.$executeRawUnsafe(
      withIndex
        ? `CREATE INDEX IF NOT EXISTS "Task_open_position" ON "Task" ("batchId", position) WHERE status IN ('pending', 'in_progress')`
        : `DROP INDEX IF EXISTS "Task_open_position"`,
    );
    for (const fraction of [0.5, 0.99]) {
      await db.$executeRaw`UPDATE "Task" SET status = 'done', label = 'B', "lockedById" = NULL, "lockedAt" = NULL
        WHERE "batchId" = ${big.batchId} AND position <= ${Math.round(TASKS * fraction)}`;
      await db.$executeRawUnsafe(`ANALYZE "Task"`);
      const resume: number[] = [];
      for (let i = 0; i < SAMPLES; i++) resume.push((await next({ batchId: big.batchId })).ms);
      report(
        `next task, resuming, ${Math.round(fraction * 100)} % done${withIndex ? " (+partial index)" : ""}`,
        resume,
      );
    }
    await db.$executeRaw`UPDATE "Task" SET status = 'pending', label = NULL
      WHERE "batchId" = ${big.batchId} AND label = 'B'`;
  }

  const audio = await db.task.findMany({ where: { batchId: small.batchId }, orderBy: { position: "asc" } });
  const padding = 0.008;
  const png: number[] = [];
  for (let i = 0; i < Math.min(SAMPLES, audio.length) + 20; i++) {
    const task = audio[i % audio.length];
    if (!task) break;
    const qs = `start=${Math.max(0, task.onset - padding)}&end=${task.offset + padding}&width=600&height=300`;
    const started = performance.now();
    const res = await fetch(`${base}/api/recordings/${task.recordingId}/spectrogram.png?${qs}`, { headers });
    const bytes = await res.arrayBuffer();
    if (!res.ok || bytes.byteLength < 100) throw new Error(`spectrogram.png: ${res.status}`);
    if (i >= 20) png.push(performance.now() - started);
  }
  report("task spectrogram PNG (detail, 600×300)", png);

  await boss.stop({ graceful: false, wait: true });
  await db.$disconnect();
} finally {
  api?.send("stop");
  await new Promise((res) => setTimeout(res, 500));
  api?.kill();
  await pool.destroy();
  await pg.stop();
  await rm(root, { recursive: true, force: true });
}
