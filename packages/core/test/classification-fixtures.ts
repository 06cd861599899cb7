// A synthetic recording with two kinds of bat-like calls (a flat tone "A" and a downward sweep "B"),
// its species/segmentation rows, and a classifier trained on the same kind of calls through the
// real R server. Shared by the classification tests and the benchmark.
import { randomBytes } from "node:crypto";
import { open } from "node:fs/promises";
import path from "node:path";
import {
  buildWavHeader,
  type CallFeatures,
  encodeFrames,
  extractCallFeatures,
  FEATURE_NAMES,
} from "@battycoda/audio";
import type { Db } from "@battycoda/db";
import type { RClient } from "@battycoda/r-client";
import type { GroupAccess } from "../src/access/access.ts";
import { modelKey } from "../src/classifiers/model-store.ts";
import type { MediaStore } from "../src/media/store.ts";
import { createRecordingFromWav } from "../src/processing/testing.ts";

export interface SynthCall {
  onset: number;
  offset: number;
  label: "A" | "B";
}

/** Deterministic per-call parameters (no Math.random: every run of a test sees the same audio). */
function callShape(i: number) {
  const jitter = (((i * 7919) % 101) / 100 - 0.5) * 4000; // ±2 kHz
  return i % 2 === 0
    ? { label: "A" as const, dur: 0.006, f0: 35_000 + jitter, f1: 35_000 + jitter }
    : { label: "B" as const, dur: 0.003 + ((i * 13) % 7) * 0.0001, f0: 90_000 + jitter, f1: 50_000 + jitter };
}

function renderCall(
  out: Float32Array,
  from: number,
  sampleRate: number,
  shape: ReturnType<typeof callShape>,
) {
  const n = Math.round(shape.dur * sampleRate);
  let phase = 0;
  for (let k = 0; k < n && from + k < out.length; k++) {
    const t = k / n;
    const f = shape.f0 + (shape.f1 - shape.f0) * t;
    phase += (2 * Math.PI * f) / sampleRate;
    const env = 0.5 - 0.5 * Math.cos(2 * Math.PI * t);
    out[from + k] = (out[from + k] as number) + 0.5 * env * Math.sin(phase);
  }
  return n;
}

/**
 * Writes a 16-bit mono WAV with `calls` calls every `spacing` seconds, block by block (memory stays
 * small however long the file). Returns the calls' bounds and labels.
 */
export async function writeSyntheticWav(
  file: string,
  opts: { sampleRate?: number; calls: number; spacing?: number; first?: number },
): Promise<{ sampleRate: number; duration: number; calls: SynthCall[] }> {
  const sampleRate = opts.sampleRate ?? 250_000;
  const spacing = opts.spacing ?? 0.05;
  const first = opts.first ?? 0.02;
  const duration = first + opts.calls * spacing + 0.02;
  const frames = Math.round(duration * sampleRate);
  const fmt = { sampleRate, bitsPerSample: 16, format: "pcm" as const };
  const calls: SynthCall[] = [];
  const fh = await open(file, "w");
  try {
    await fh.write(buildWavHeader(fmt, 1, frames * 2));
    const blockFrames = sampleRate; // one second
    let seed = 12345;
    for (let start = 0; start < frames; start += blockFrames) {
      const block = new Float32Array(Math.min(blockFrames, frames - start));
      for (let i = 0; i < block.length; i++) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        block[i] = (seed / 0x7fffffff - 0.5) * 0.01;
      }
      // calls that start inside this block (each is far shorter than a block and spacing)
      const iFrom = Math.max(0, Math.floor((start / sampleRate - first) / spacing) - 1);
      for (let i = iFrom; i < opts.calls; i++) {
        const onsetFrame = Math.round((first + i * spacing) * sampleRate);
        if (onsetFrame >= start + block.length) break;
        if (onsetFrame < start) continue;
        const shape = callShape(i);
        const n = renderCall(block, onsetFrame - start, sampleRate, shape);
        calls.push({
          onset: onsetFrame / sampleRate,
          offset: (onsetFrame + n) / sampleRate,
          label: shape.label,
        });
      }
      await fh.write(encodeFrames([block], fmt));
    }
  } finally {
    await fh.close();
  }
  return { sampleRate, duration: frames / sampleRate, calls };
}

/** Training rows: features of freshly rendered calls of both kinds (other jitter than the recording's). */
export function trainingTable(sampleRate: number, perClass = 30): { rows: CallFeatures[]; labels: string[] } {
  const spacing = 0.02;
  const n = perClass * 2;
  const samples = new Float32Array(Math.round((n * spacing + 0.02) * sampleRate));
  // the same background noise as the recordings, so the model learns calls as they will be heard
  let seed = 777;
  for (let i = 0; i < samples.length; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    samples[i] = (seed / 0x7fffffff - 0.5) * 0.01;
  }
  const segs: { onset: number; offset: number }[] = [];
  const labels: string[] = [];
  for (let j = 0; j < n; j++) {
    const from = Math.round((0.01 + j * spacing) * sampleRate);
    const shape = callShape(1000 + 14 * j + (j % 2));
    const len = renderCall(samples, from, sampleRate, shape);
    segs.push({ onset: from / sampleRate, offset: (from + len) / sampleRate });
    labels.push(shape.label);
  }
  return { rows: extractCallFeatures(samples, sampleRate, segs), labels };
}

export interface Scene {
  groupId: string;
  access: GroupAccess;
  speciesId: string;
  recordingId: string;
  segmentationId: string;
  calls: SynthCall[];
  sampleRate: number;
  wav: string;
}

export function accessFor(groupId: string, userId = "test-user"): GroupAccess {
  return { userId, isSiteAdmin: false, groupId, groupName: "Lab", membershipId: "m", isGroupAdmin: true };
}

/** A group with a species (call types A, B and C — C is never predicted), a recording and a completed segmentation. */
export async function createScene(
  db: Db,
  mediaRoot: string,
  dir: string,
  opts: { calls: number; name?: string; spacing?: number; sampleRate?: number; groupId?: string },
): Promise<Scene> {
  const name = opts.name ?? "lab";
  const group = opts.groupId
    ? { id: opts.groupId }
    : await db.group.create({ data: { name: `${name}-${Math.random().toString(36).slice(2, 8)}` } });
  const species = await db.species.create({
    data: {
      groupId: group.id,
      name: `Eptesicus testus ${name}`,
      callTypes: { create: [{ shortName: "A" }, { shortName: "B" }, { shortName: "C" }] },
    },
  });
  const wav = path.join(dir, `${name}.wav`);
  const synth = await writeSyntheticWav(wav, {
    calls: opts.calls,
    ...(opts.spacing ? { spacing: opts.spacing } : {}),
    ...(opts.sampleRate ? { sampleRate: opts.sampleRate } : {}),
  });
  const rec = await createRecordingFromWav({ db }, mediaRoot, group.id, wav, { name });
  await db.recording.update({
    where: { id: rec.id },
    data: {
      speciesId: species.id,
      sampleRate: synth.sampleRate,
      channels: 1,
      duration: synth.duration,
      sha256: "0".repeat(64),
      processingStatus: "ready",
    },
  });
  const seg = await db.segmentation.create({
    data: {
      groupId: group.id,
      recordingId: rec.id,
      name: "synthetic",
      source: "import",
      status: "completed",
      isActive: true,
    },
  });
  for (let i = 0; i < synth.calls.length; i += 5000) {
    await db.segment.createMany({
      data: synth.calls
        .slice(i, i + 5000)
        .map((c) => ({ segmentationId: seg.id, onset: c.onset, offset: c.offset })),
    });
  }
  return {
    groupId: group.id,
    access: accessFor(group.id),
    speciesId: species.id,
    recordingId: rec.id,
    segmentationId: seg.id,
    calls: synth.calls,
    sampleRate: synth.sampleRate,
    wav,
  };
}

/** Trains a KNN model through the R server, stores it, and records it as the species' classifier. */
export async function trainClassifier(
  db: Db,
  client: RClient,
  media: MediaStore,
  scene: Scene,
  opts: { name?: string; method?: "knn" | "lda" | "rf" } = {},
) {
  const { rows, labels } = trainingTable(scene.sampleRate);
  const columns: Record<string, number[]> = {};
  for (const n of FEATURE_NAMES) columns[n] = rows.map((r) => r[n]);
  const method = opts.method ?? "knn";
  const trained = await client.train({
    method,
    features: columns,
    labels,
    options: method === "knn" ? { k: 3, cvFolds: 3 } : { cvFolds: 3 },
  });
  const id = `c${randomBytes(12).toString("hex")}`;
  const key = modelKey(scene.groupId, id, trained.modelSha256);
  await media.write(key, trained.model);
  return db.classifier.create({
    data: {
      id,
      name: opts.name ?? "Synthetic KNN",
      type: method,
      modelPath: key,
      speciesId: scene.speciesId,
      groupId: scene.groupId,
      classes: trained.classes,
      featureNames: trained.featureNames,
      metrics: { balancedAccuracy: trained.cv?.balancedAccuracy ?? null },
      trainingDataHash: "f".repeat(64),
      trainingRows: trained.nTrainingRows,
      rInfo: { trainedAt: trained.trainedAt },
    },
  });
}
