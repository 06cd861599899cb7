import { parseCallTypeFile } from "@battycoda/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectTRPCError } from "./expect-error.ts";
import {
  createTestEnv,
  makeSiteAdmin,
  registerAndLogin,
  sessionCaller,
  type TestEnv,
  type TestUser,
} from "./helpers.ts";

let t: TestEnv;
let ann: TestUser;

beforeAll(async () => {
  t = await createTestEnv();
  ann = await registerAndLogin(t, "ann");
});
afterAll(async () => {
  await t?.close();
});

describe("projects", () => {
  it("CRUD with names unique per group", async () => {
    const p = await ann.caller.projects.create({ name: "  Cave survey ", description: "2026" });
    expect(p).toMatchObject({
      name: "Cave survey",
      description: "2026",
      createdBy: "ann",
      recordingCount: 0,
    });
    await expectTRPCError(ann.caller.projects.create({ name: "Cave survey" }), "CONFLICT", /already exists/);
    await expectTRPCError(ann.caller.projects.create({ name: "" }), "BAD_REQUEST");
    const renamed = await ann.caller.projects.update({ projectId: p.id, name: "Cave survey 2026" });
    expect(renamed.name).toBe("Cave survey 2026");
    await expectTRPCError(ann.caller.projects.update({ projectId: p.id, name: "Demo Project" }), "CONFLICT");
    // another group may reuse the name
    const ben = await registerAndLogin(t, "ben");
    expect((await ben.caller.projects.create({ name: "Cave survey 2026" })).name).toBe("Cave survey 2026");
  });

  it("delete preview counts what goes, and delete removes it", async () => {
    const db = t.deps.db;
    const p = await ann.caller.projects.create({ name: "Doomed" });
    const me = await ann.caller.auth.me();
    const groupId = me?.currentGroup?.id ?? "";
    for (let r = 0; r < 2; r++) {
      const rec = await db.recording.create({
        data: { groupId, projectId: p.id, name: `rec${r}`, filePath: `x/${r}.wav` },
      });
      const seg = await db.segmentation.create({ data: { groupId, recordingId: rec.id, name: "auto" } });
      await db.segment.createMany({
        data: [0, 1, 2].map((i) => ({ segmentationId: seg.id, onset: i, offset: i + 0.01 })),
      });
    }
    const batch = await db.taskBatch.create({ data: { groupId, projectId: p.id, name: "batch" } });
    const rec0 = await db.recording.findFirstOrThrow({ where: { projectId: p.id } });
    await db.task.createMany({
      data: [0, 1, 2, 3].map((i) => ({
        groupId,
        batchId: batch.id,
        recordingId: rec0.id,
        onset: i,
        offset: i + 1,
      })),
    });
    const expected = {
      projectId: p.id,
      name: "Doomed",
      recordings: 2,
      segmentations: 2,
      segments: 6,
      classificationRuns: 0,
      taskBatches: 1,
      tasks: 4,
      clusteringRuns: 0,
    };
    expect(await ann.caller.projects.previewDelete({ projectId: p.id })).toEqual(expected);
    expect(await ann.caller.projects.delete({ projectId: p.id })).toEqual(expected);
    expect(await db.recording.count({ where: { groupId } })).toBe(0);
    expect(await db.segment.count()).toBe(0);
    expect(await db.task.count()).toBe(0);
    await expectTRPCError(ann.caller.projects.get({ projectId: p.id }), "NOT_FOUND");
  });
});

describe("species and call types", () => {
  it("lists system species (read-only) and the group's own (editable)", async () => {
    const sys = await t.deps.db.species.create({
      data: {
        name: "Carollia perspicillata",
        isSystem: true,
        callTypes: { create: [{ shortName: "echo" }] },
      },
    });
    const list = await ann.caller.species.list();
    expect(list[0]).toMatchObject({ id: sys.id, isSystem: true, editable: false });
    expect(list.some((s) => !s.isSystem && s.editable)).toBe(true);
    await expectTRPCError(ann.caller.species.update({ speciesId: sys.id, name: "x" }), "FORBIDDEN");
    await expectTRPCError(ann.caller.species.addCallType({ speciesId: sys.id, shortName: "x" }), "FORBIDDEN");
    const ct = (await ann.caller.species.get({ speciesId: sys.id })).callTypes[0];
    await expectTRPCError(
      ann.caller.species.updateCallType({ callTypeId: ct?.id ?? "", longName: "x" }),
      "FORBIDDEN",
    );
    await expectTRPCError(ann.caller.species.delete({ speciesId: sys.id }), "FORBIDDEN");

    await makeSiteAdmin(t, ann.id);
    const admin = await sessionCaller(t, ann.token);
    expect(
      (await admin.species.update({ speciesId: sys.id, commonName: "Seba's short-tailed bat" })).editable,
    ).toBe(true);
    await t.deps.db.user.update({ where: { id: ann.id }, data: { isSiteAdmin: false } });
  });

  it("creates species with call types; short names unique per species ignoring case", async () => {
    const s = await ann.caller.species.create({
      name: "Myotis lucifugus",
      commonName: "Little brown bat",
      callTypes: [{ shortName: "FM", longName: "Frequency modulated" }],
    });
    expect(s.callTypes.map((c) => c.shortName)).toEqual(["FM"]);
    await expectTRPCError(ann.caller.species.create({ name: "Myotis lucifugus" }), "CONFLICT");
    await expectTRPCError(
      ann.caller.species.create({ name: "Dup", callTypes: [{ shortName: "A" }, { shortName: "a" }] }),
      "CONFLICT",
    );
    const added = await ann.caller.species.addCallType({
      speciesId: s.id,
      shortName: "CF",
      longName: "Constant",
    });
    await expectTRPCError(ann.caller.species.addCallType({ speciesId: s.id, shortName: "cf" }), "CONFLICT");
    const renamed = await ann.caller.species.updateCallType({ callTypeId: added.id, shortName: "QCF" });
    expect(renamed.shortName).toBe("QCF");
    await expectTRPCError(
      ann.caller.species.updateCallType({ callTypeId: added.id, shortName: "fm" }),
      "CONFLICT",
    );
    await ann.caller.species.deleteCallType({ callTypeId: added.id });
    expect((await ann.caller.species.get({ speciesId: s.id })).callTypes).toHaveLength(1);
    const removed = await ann.caller.species.delete({ speciesId: s.id });
    expect(removed).toMatchObject({ name: "Myotis lucifugus", callTypes: 1, recordingsUnlinked: 0 });
  });

  it("imports call types from `short,long` / `short|long` lines, merging or replacing", async () => {
    const s = await ann.caller.species.create({
      name: "Import me",
      callTypes: [{ shortName: "old" }, { shortName: "FM" }],
    });
    const text = "# call types\n\nFM, Frequency modulated, downward\nCF|Constant frequency\n  trill  \n";
    const merged = await ann.caller.species.importCallTypes({ speciesId: s.id, text });
    expect(merged).toMatchObject({ created: 2, updated: 1, deleted: 0 });
    expect(merged.callTypes.map((c) => [c.shortName, c.longName])).toEqual([
      ["CF", "Constant frequency"],
      ["FM", "Frequency modulated, downward"],
      ["old", ""],
      ["trill", ""],
    ]);
    const replaced = await ann.caller.species.importCallTypes({ speciesId: s.id, text, mode: "replace" });
    expect(replaced).toMatchObject({ created: 0, updated: 0, deleted: 1 });
  });

  it("reports import errors with line numbers and changes nothing", async () => {
    const s = await ann.caller.species.create({ name: "Bad import" });
    const text = ["A,Alpha", "", `${"x".repeat(51)},too long`, "# fine", "a|again", ",no short"].join("\n");
    const err = await expectTRPCError(
      ann.caller.species.importCallTypes({ speciesId: s.id, text }),
      "BAD_REQUEST",
      'Line 3: Short name must be at most 50 characters; Line 5: Duplicate short name "a" (first on line 1); Line 6: Short name is required',
    );
    expect((err.cause as { details?: unknown }).details).toEqual([
      { line: 3, message: "Short name must be at most 50 characters" },
      { line: 5, message: 'Duplicate short name "a" (first on line 1)' },
      { line: 6, message: "Short name is required" },
    ]);
    expect((await ann.caller.species.get({ speciesId: s.id })).callTypes).toEqual([]);
    expect(parseCallTypeFile("# only a comment\n\n").errors).toEqual([
      { line: 0, message: "The file contains no call types" },
    ]);
  });
});
