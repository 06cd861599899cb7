// The onset keyset against real PostgreSQL, with onsets as a detector writes them (17 significant digits, stored
// exactly): every segment comes exactly once, in order, whatever the page size, duplicates of one onset included.
import { createTestDatabase, type TestDatabase } from "@battycoda/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertSegments } from "./common.ts";
import { afterSegmentCursor, nextSegmentCursor, type SegmentCursor } from "./keyset.ts";

/** Significant digits of the shortest text that reads back as this double. */
const significantDigits = (x: number) => String(x).replace(/^0\.0*|\.|e.*$/g, "").length;

let t: TestDatabase;
let segmentationId: string;
let expected: string[];
beforeAll(async () => {
  t = await createTestDatabase();
  const group = await t.db.group.create({ data: { name: "Keyset lab" } });
  const rec = await t.db.recording.create({
    data: { groupId: group.id, name: "night", filePath: "x.wav", sampleRate: 384_000 },
  });
  const seg = await t.db.segmentation.create({
    data: { groupId: group.id, recordingId: rec.id, name: "detector", status: "completed" },
  });
  segmentationId = seg.id;
  // sample / rate at 384 kHz: half of these need 17 digits (0.47433333333333333), which a Prisma filter rounds
  const onsets = [
    2947, 17056, 39424, 50400, 62272, 75936, 83584, 95872, 106624, 109568, 116096, 118400, 182144,
  ];
  const rows = onsets.map((n) => ({ onset: n / 384_000, offset: n / 384_000 + 0.004 }));
  // three calls at one onset (an import with duplicates), and one 20 ns after it
  const dup = 182_149 / 384_000;
  rows.push(
    { onset: dup, offset: dup + 0.001 },
    { onset: dup, offset: dup + 0.002 },
    { onset: dup, offset: dup + 0.003 },
  );
  rows.push({ onset: dup + 2e-8, offset: dup + 0.004 });
  await t.db.$transaction((tx) => insertSegments(tx, seg.id, rows));
  const stored = await t.db.segment.findMany({
    where: { segmentationId },
    orderBy: [{ onset: "asc" }, { id: "asc" }],
  });
  expected = stored.map((s) => s.id);
  expect(stored.filter((s) => significantDigits(s.onset) >= 17).length).toBeGreaterThan(3);
});
afterAll(async () => {
  await t?.drop();
});

async function walk(take: number): Promise<string[]> {
  const out: string[] = [];
  let cursor: SegmentCursor | null = null;
  for (let guard = 0; guard < 100; guard++) {
    const page = await t.db.segment.findMany({
      where: { segmentationId, ...afterSegmentCursor(cursor) },
      orderBy: [{ onset: "asc" }, { id: "asc" }],
      take,
      select: { id: true, onset: true },
    });
    if (page.length === 0) return out;
    out.push(...page.map((s) => s.id));
    cursor = nextSegmentCursor(cursor, page);
  }
  throw new Error(`no end after 100 pages of ${take}: ${out.length} rows`);
}

describe("segment keyset", () => {
  it("the plain keyset on a rounded onset repeats the last call (why this exists)", async () => {
    const last = await t.db.segment.findFirstOrThrow({
      where: { segmentationId },
      orderBy: [{ onset: "desc" }],
    });
    const exact = (await t.db.segment.findMany({ where: { segmentationId } })).find(
      (s) => significantDigits(s.onset) >= 17,
    );
    if (!exact) throw new Error("no 17-digit onset");
    const again = await t.db.segment.count({
      where: { segmentationId, id: exact.id, onset: { gt: exact.onset } },
    });
    const equal = await t.db.segment.count({ where: { segmentationId, id: exact.id, onset: exact.onset } });
    // one of the two is wrong for a 17-digit onset: either it is after itself or not equal to itself
    expect(again === 1 || equal === 0).toBe(true);
    expect(last.onset).toBeGreaterThan(0);
  });
  it.each([1, 2, 3, 5, 500])("visits every segment once, in order, in pages of %i", async (take) => {
    expect(await walk(take)).toEqual(expected);
  });
});
