// The segment CSV carries every column the Raven table has (plus duration), from real rows.

import { createTestDatabase, type TestDatabase } from "@battycoda/db/testing";
import { parseSegmentsCsv } from "@battycoda/formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GroupAccess } from "../access/access.ts";
import { exportSegmentation, SEGMENT_CSV_COLUMNS } from "./export.ts";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.drop();
});

describe("segment CSV export", () => {
  it("has onset, offset, duration, low/high frequency, label and notes for every segment", async () => {
    const group = await t.db.group.create({ data: { name: "Lab" } });
    const access: GroupAccess = {
      userId: "u",
      isSiteAdmin: false,
      groupId: group.id,
      groupName: group.name,
      membershipId: "m",
      isGroupAdmin: true,
    };
    const rec = await t.db.recording.create({
      data: { groupId: group.id, name: "night 1", filePath: "x.wav", sampleRate: 384_000 },
    });
    const seg = await t.db.segmentation.create({
      data: {
        groupId: group.id,
        recordingId: rec.id,
        name: "hand",
        status: "completed",
        segments: {
          create: [
            {
              onset: 0.5,
              offset: 0.5123,
              lowFreq: 25_000,
              highFreq: 61_500.5,
              label: "FM",
              notes: "faint, clipped",
            },
            { onset: 0.1, offset: 0.1042, label: '=HYPERLINK("x")' },
            { onset: 1.25, offset: 1.2625 },
          ],
        },
      },
    });
    const out = await exportSegmentation({ db: t.db }, access, seg.id, "csv");
    const lines = out.body.trimEnd().split("\n");
    expect(lines[0]).toBe(SEGMENT_CSV_COLUMNS.join(","));
    expect(lines[0]).toBe("onset,offset,duration,low_freq,high_freq,label,notes");
    // The duration without the float noise of the difference (0.1042 - 0.1 is 0.004200000000000009).
    expect(String(0.1042 - 0.1)).not.toBe("0.0042");
    expect(lines.slice(1)).toEqual([
      `0.1,0.1042,0.0042,,,"'=HYPERLINK(""x"")",`,
      `0.5,0.5123,0.0123,25000,61500.5,FM,"faint, clipped"`,
      `1.25,1.2625,0.0125,,,,`,
    ]);
    // and it reads back
    const back = parseSegmentsCsv(out.body).segments;
    expect(back.map((s) => [s.onset, s.offset, s.lowFreq, s.highFreq, s.label])).toEqual([
      [0.1, 0.1042, undefined, undefined, '\'=HYPERLINK("x")'],
      [0.5, 0.5123, 25_000, 61_500.5, "FM"],
      [1.25, 1.2625, undefined, undefined, undefined],
    ]);
    expect(back[1]?.notes).toContain("faint, clipped");
  });
});
