// Synthetic bat calls of three known shapes for the clustering tests and bench: an FM sweep, a
// constant-frequency tone and a hooked call (CF part, then a steep downward sweep), at a bat
// sample rate (250–384 kHz), with deterministic jitter and confounders: background noise, varying
// loudness, and an echo (a delayed, weaker copy) on every third call. Written block by block, so
// the file can be long without the memory growing.
import { open } from "node:fs/promises";
import path from "node:path";
import { buildWavHeader, encodeFrames } from "@battycoda/audio";
import type { Db } from "@battycoda/db";
import type { GroupAccess } from "../access/access.ts";
import type { DbContext } from "../access/context.ts";
import { createRecordingFromWav } from "../processing/testing.ts";

export type Shape = "fm" | "cf" | "hook";
export const SHAPES: Shape[] = ["fm", "cf", "hook"];

/** A deterministic number in [0, 1) per (call, salt). */
const hash01 = (i: number, salt: number) => ((((i + 1) * 2654435761 + salt * 40503) >>> 0) % 10007) / 10007;

interface CallPlan {
  shape: Shape;
  dur: number;
  /** Frequency (Hz) at relative time t in [0, 1]. */
  freq: (t: number) => number;
  amp: number;
  echo: boolean;
}

function plan(i: number, shapes: Shape[]): CallPlan {
  const shape = shapes[i % shapes.length] as Shape;
  const j = (hash01(i, 1) - 0.5) * 6000; // ±3 kHz
  const amp = 0.2 + 0.6 * hash01(i, 2);
  const echo = i % 3 === 1;
  if (shape === "fm") {
    const dur = 0.0025 + 0.001 * hash01(i, 3);
    return { shape, dur, amp, echo, freq: (t) => 95_000 + j - (55_000 + j / 2) * t };
  }
  if (shape === "cf") {
    const dur = 0.006 + 0.002 * hash01(i, 3);
    return { shape, dur, amp, echo, freq: () => 62_000 + j };
  }
  const dur = 0.005 + 0.0015 * hash01(i, 3);
  return {
    shape,
    dur,
    amp,
    echo,
    freq: (t) => (t < 0.6 ? 30_000 + j : 30_000 + j - ((t - 0.6) / 0.4) * 18_000),
  };
}

function render(out: Float32Array, from: number, sampleRate: number, p: CallPlan, gain: number): number {
  const n = Math.round(p.dur * sampleRate);
  let phase = 0;
  for (let k = 0; k < n && from + k < out.length; k++) {
    const t = k / n;
    phase += (2 * Math.PI * p.freq(t)) / sampleRate;
    const env = 0.5 - 0.5 * Math.cos(2 * Math.PI * t);
    if (from + k >= 0) out[from + k] = (out[from + k] as number) + gain * p.amp * env * Math.sin(phase);
  }
  return n;
}

export interface SynthCall {
  onset: number;
  offset: number;
  shape: Shape;
}

export async function writeShapesWav(
  file: string,
  opts: { sampleRate: number; calls: number; spacing?: number; noise?: number; shapes?: Shape[] },
): Promise<{ duration: number; calls: SynthCall[] }> {
  const { sampleRate } = opts;
  const shapes = opts.shapes ?? SHAPES;
  const spacing = opts.spacing ?? 0.03;
  const first = 0.02;
  const noise = opts.noise ?? 0.02;
  const frames = Math.round((first + opts.calls * spacing + 0.02) * sampleRate);
  const fmt = { sampleRate, bitsPerSample: 16, format: "pcm" as const };
  const calls: SynthCall[] = [];
  const fh = await open(file, "w");
  try {
    await fh.write(buildWavHeader(fmt, 1, frames * 2));
    let seed = 4242;
    for (let start = 0; start < frames; start += sampleRate) {
      const block = new Float32Array(Math.min(sampleRate, frames - start));
      for (let i = 0; i < block.length; i++) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        block[i] = (seed / 0x7fffffff - 0.5) * 2 * noise;
      }
      const iFrom = Math.max(0, Math.floor((start / sampleRate - first) / spacing) - 1);
      for (let i = iFrom; i < opts.calls; i++) {
        const onsetFrame = Math.round((first + i * spacing) * sampleRate);
        if (onsetFrame >= start + block.length) break;
        if (onsetFrame < start) continue;
        const p = plan(i, shapes);
        const n = render(block, onsetFrame - start, sampleRate, p, 1);
        // the echo arrives 1.5 ms later at a third of the loudness, overlapping the call's end
        if (p.echo) render(block, onsetFrame - start + Math.round(0.0015 * sampleRate), sampleRate, p, 0.33);
        calls.push({ onset: onsetFrame / sampleRate, offset: (onsetFrame + n) / sampleRate, shape: p.shape });
      }
      await fh.write(encodeFrames([block], fmt));
    }
  } finally {
    await fh.close();
  }
  return { duration: frames / sampleRate, calls };
}

export interface ShapesScene {
  access: GroupAccess;
  groupId: string;
  speciesId: string;
  projectId: string;
  recordingId: string;
  segmentationId: string;
  calls: SynthCall[];
}

/** A group (or the given one) with a project, a species (call types FM, CF, HOOK), a recording and a completed segmentation of its calls. */
export async function createShapesScene(
  { db }: DbContext,
  mediaRoot: string,
  dir: string,
  opts: { calls: number; sampleRate: number; groupId?: string; name?: string; userId?: string },
): Promise<ShapesScene> {
  const name = opts.name ?? `shapes-${opts.sampleRate}`;
  const group = opts.groupId
    ? { id: opts.groupId }
    : await db.group.create({ data: { name: `${name}-${Math.random().toString(36).slice(2, 8)}` } });
  const tag = Math.random().toString(36).slice(2, 8);
  const userId =
    opts.userId ??
    (await db.user.create({ data: { username: `u-${tag}`, email: `u-${tag}@example.org` } })).id;
  const species = await db.species.create({
    data: {
      groupId: group.id,
      name: `Synthetica ${name} ${Math.random().toString(36).slice(2, 6)}`,
      callTypes: { create: [{ shortName: "FM" }, { shortName: "CF" }, { shortName: "HOOK" }] },
    },
  });
  const project = await db.project.create({
    data: { groupId: group.id, name: `${name}-${Math.random().toString(36).slice(2, 6)}` },
  });
  const wav = path.join(dir, `${name}.wav`);
  const synth = await writeShapesWav(wav, { calls: opts.calls, sampleRate: opts.sampleRate });
  const rec = await createRecordingFromWav({ db }, mediaRoot, group.id, wav, { name });
  await db.recording.update({
    where: { id: rec.id },
    data: {
      speciesId: species.id,
      projectId: project.id,
      sampleRate: opts.sampleRate,
      channels: 1,
      duration: synth.duration,
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
  for (let i = 0; i < synth.calls.length; i += 5000)
    await db.segment.createMany({
      data: synth.calls
        .slice(i, i + 5000)
        .map((c) => ({ segmentationId: seg.id, onset: c.onset, offset: c.offset })),
    });
  return {
    access: {
      userId,
      isSiteAdmin: false,
      groupId: group.id,
      groupName: "Lab",
      membershipId: "m",
      isGroupAdmin: true,
    },
    groupId: group.id,
    speciesId: species.id,
    projectId: project.id,
    recordingId: rec.id,
    segmentationId: seg.id,
    calls: synth.calls,
  };
}

/** Hubert & Arabie's adjusted Rand index of two labelings of the same items. */
export function adjustedRandIndex(a: readonly (string | number)[], b: readonly (string | number)[]): number {
  if (a.length !== b.length) throw new Error("labelings of different lengths");
  const n = a.length;
  const c2 = (x: number) => (x * (x - 1)) / 2;
  const table = new Map<string, number>();
  const rows = new Map<string | number, number>();
  const cols = new Map<string | number, number>();
  for (let i = 0; i < n; i++) {
    const key = `${a[i]}\u0000${b[i]}`;
    table.set(key, (table.get(key) ?? 0) + 1);
    rows.set(a[i] as string, (rows.get(a[i] as string) ?? 0) + 1);
    cols.set(b[i] as string, (cols.get(b[i] as string) ?? 0) + 1);
  }
  let index = 0;
  for (const v of table.values()) index += c2(v);
  let sa = 0;
  for (const v of rows.values()) sa += c2(v);
  let sb = 0;
  for (const v of cols.values()) sb += c2(v);
  const expected = (sa * sb) / c2(n);
  const max = (sa + sb) / 2;
  return max === expected ? 1 : (index - expected) / (max - expected);
}
