// featuresFor reads a page's calls span by span and hands the pool only the calls' samples: the
// values must equal a whole-file extraction bit for bit, whatever the layout of the calls (overlaps,
// separate spans, spans cut for length, a call running past the end, one before 0, one too short)
// and of the file (stereo 24-bit: channel 0 decoded out of interleaved frames).
import { writeFile } from "node:fs/promises";
import path from "node:path";
import {
  AudioPool,
  buildWavHeader,
  type CallFeatures,
  encodeFrames,
  extractCallFeatures,
  FEATURE_NAMES,
  readWavFile,
} from "@battycoda/audio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTempDir, removeTempDir } from "../../audio/test/fixtures/generate.ts";
import { type FeatureSegment, featuresFor } from "../src/classification/features.ts";
import { featureChannelOf } from "../src/classification/stamp.ts";

const SR = 96_000;
const SECONDS = 7;
let dir: string;
let file: string;
let segments: FeatureSegment[];
let whole: CallFeatures[];

/** Chirps on both channels (different ones, so reading channel 1 by mistake shows) over faint noise. */
function render(): Float32Array[] {
  const n = SR * SECONDS;
  const left = new Float32Array(n);
  const right = new Float32Array(n);
  let seed = 7;
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    left[i] = (seed / 0x7fffffff - 0.5) * 0.01;
    right[i] = (0.5 - seed / 0x7fffffff) * 0.02;
  }
  for (let k = 0; k < 120; k++) {
    const from = Math.floor((0.01 + k * 0.057) * SR);
    const len = Math.floor((0.002 + (k % 9) * 0.001) * SR);
    for (let j = 0; j < len && from + j < n; j++) {
      const t = j / SR;
      const env = Math.sin((Math.PI * j) / len);
      left[from + j] =
        (left[from + j] as number) + 0.4 * env * Math.sin(2 * Math.PI * (20_000 + 4e6 * t) * t);
      right[from + j] = (right[from + j] as number) + 0.3 * env * Math.sin(2 * Math.PI * 30_000 * t);
    }
  }
  return [left, right];
}

function layout(): { onset: number; offset: number }[] {
  const out: { onset: number; offset: number }[] = [];
  // dense calls for 3 s: one span would exceed its length cap, so it is cut
  for (let k = 0; k < 52; k++) {
    const onset = 0.01 + k * 0.057;
    out.push({ onset, offset: onset + 0.002 + (k % 9) * 0.001 });
  }
  // overlapping calls and one inside another
  out.push({ onset: 0.5, offset: 0.56 }, { onset: 0.52, offset: 0.6 }, { onset: 0.53, offset: 0.54 });
  out.push({ onset: -0.002, offset: 0.004 }); // starts before the recording: cut from 0
  out.push({ onset: 1.2, offset: 1.20004 }); // 3 samples: too short, a row of NaN
  out.push({ onset: 5.9, offset: 6.05 }); // alone, more than 0.5 s from the others
  out.push({ onset: SECONDS - 0.01, offset: SECONDS + 0.02 }); // runs past the end: zero-padded
  return out;
}

beforeAll(async () => {
  dir = await makeTempDir("classification-features-");
  file = path.join(dir, "stereo24.wav");
  const channels = render();
  const fmt = { sampleRate: SR, bitsPerSample: 24, format: "pcm" as const };
  const body = encodeFrames(channels, fmt);
  await writeFile(file, Buffer.concat([buildWavHeader(fmt, 2, body.length), body]));
  segments = layout().map((s, i) => ({ id: `s${i}`, ...s, features: null }));
  // what a whole-file read gives (the samples as stored: 24-bit, decoded)
  const wav = await readWavFile(file);
  // (featuresFor cuts a call that starts before the recording at 0, where cutSegment would pad)
  const clamped = segments.map((s) => ({ onset: Math.max(0, s.onset), offset: s.offset }));
  whole = extractCallFeatures(wav.channels[0] as Float32Array, SR, clamped);
});

afterAll(async () => {
  await removeTempDir(dir);
});

function expectWhole(features: Map<string, CallFeatures>) {
  expect(features.size).toBe(segments.length);
  let finite = 0;
  segments.forEach((s, i) => {
    const got = features.get(s.id) as CallFeatures;
    for (const n of FEATURE_NAMES) {
      // Object.is: NaN equals NaN, and 0 / -0 would differ
      expect(Object.is(got[n], whole[i]?.[n]), `${s.id} ${n}: ${got[n]} vs ${whole[i]?.[n]}`).toBe(true);
      if (Number.isFinite(got[n])) finite++;
    }
  });
  // the comparison is not between two rows of NaN
  expect(finite).toBeGreaterThan(segments.length * 20);
}

describe("featuresFor", () => {
  it("equals a whole-file extraction in this thread, segments in any order", async () => {
    const { features, computed } = await featuresFor(file, [...segments].reverse(), null);
    expectWhole(features);
    expect(computed.size).toBe(segments.length);
    expect(Number.isNaN(features.get("s56")?.meanfreq)).toBe(true);
  });

  it("equals a whole-file extraction through the pool", async () => {
    const pool = new AudioPool({ threads: 1 });
    try {
      const { features } = await featuresFor(file, segments, pool);
      expectWhole(features);
    } finally {
      await pool.destroy();
    }
  }, 60_000);

  it("takes cached values only when they belong to the segment's bounds", async () => {
    const { computed } = await featuresFor(file, segments.slice(0, 3), null);
    const cached = segments.slice(0, 3).map((s) => ({ ...s, features: computed.get(s.id) }));
    const moved = { ...(cached[1] as FeatureSegment), offset: (cached[1]?.offset ?? 0) + 0.001 };
    const again = await featuresFor(
      file,
      [cached[0] as FeatureSegment, moved, cached[2] as FeatureSegment],
      null,
    );
    expect([...again.computed.keys()]).toEqual(["s1"]);
  });

  it("measures a segmentation's calls on the channel its detector ran on, and caches them per channel", async () => {
    const wav = await readWavFile(file);
    const some = segments.slice(0, 4);
    const right = extractCallFeatures(
      wav.channels[1] as Float32Array,
      SR,
      some.map((s) => ({ onset: Math.max(0, s.onset), offset: s.offset })),
    );
    const onRight = some.map((s) => ({ ...s, channel: featureChannelOf({ channel: null, channelUsed: 1 }) }));
    const { features, computed } = await featuresFor(file, onRight, null);
    some.forEach((s, i) => {
      for (const n of FEATURE_NAMES) expect(Object.is(features.get(s.id)?.[n], right[i]?.[n]), n).toBe(true);
    });
    // the right channel's tone is not the left one's chirp
    expect(features.get("s1")?.meanfreq).not.toBe(whole[1]?.meanfreq);
    // a value cached for channel 1 is not taken for channel 0 (a segmentation without channelUsed)
    const cached = some.map((s) => ({ ...s, features: computed.get(s.id) }));
    expect(featureChannelOf({ channel: null })).toBe(0);
    expect(featureChannelOf(null)).toBe(0);
    const again = await featuresFor(file, cached, null);
    expect(again.computed.size).toBe(some.length);
    expect(Object.is(again.features.get("s1")?.meanfreq, whole[1]?.meanfreq)).toBe(true);
    expect(
      (
        await featuresFor(
          file,
          cached.map((s) => ({ ...s, channel: 1 })),
          null,
        )
      ).computed.size,
    ).toBe(0);
  });
});
