// Taxonomy procedures through tRPC: a member merges, previews and reads the history of the
// group's species; another group's species, call types, segments and clusters answer NOT_FOUND
// for every procedure; a system species is changed only by a site admin.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectTRPCError } from "./expect-error.ts";
import { createTestEnv, registerAndLogin, type TestEnv, type TestUser } from "./helpers.ts";

let t: TestEnv;
let owner: TestUser;
let stranger: TestUser;
let speciesId: string;
let ids: Record<string, string>;

beforeAll(async () => {
  t = await createTestEnv();
  owner = await registerAndLogin(t, "taxowner");
  stranger = await registerAndLogin(t, "taxstranger");
  const s = await owner.caller.species.create({
    name: "Carollia taxonomy",
    callTypes: [{ shortName: "FM" }, { shortName: "CF" }, { shortName: "QCF" }],
  });
  speciesId = s.id;
  ids = Object.fromEntries(s.callTypes.map((c) => [c.shortName, c.id]));
}, 60_000);
afterAll(async () => {
  await t?.close();
});

describe("taxonomy procedures", () => {
  it("previews, merges and lists the history for the group's species", async () => {
    const change = {
      kind: "merge" as const,
      speciesId,
      intoCallTypeId: ids.FM as string,
      fromCallTypeIds: [ids.CF as string],
    };
    const preview = await owner.caller.taxonomy.preview(change);
    expect(preview).toMatchObject({ kind: "merge", version: 1, mapping: { FM: "FM", CF: "FM" } });
    expect((await owner.caller.species.get({ speciesId })).callTypes).toHaveLength(3);
    const res = await owner.caller.taxonomy.change(change);
    expect(res.version).toBe(1);
    const history = await owner.caller.taxonomy.history({ speciesId });
    expect(history.changes).toEqual([
      expect.objectContaining({ kind: "merge", version: 1, by: "taxowner", summary: "merged FM + CF → FM" }),
    ]);
    expect(
      await owner.caller.taxonomy.reexpress({ speciesId, version: 0, labels: ["FM", "QCF", "x"] }),
    ).toEqual({
      version: 0,
      labels: ["FM|CF", "QCF", "x"],
    });
    expect((await owner.caller.species.get({ speciesId })).callTypes.map((c) => c.shortName)).toEqual([
      "FM",
      "QCF",
    ]);
    expect(await owner.caller.taxonomy.classifierStatus({ speciesId })).toEqual([]);
  });

  it("answers NOT_FOUND for another group's species, call types and selections", async () => {
    const c = stranger.caller.taxonomy;
    const FM = ids.FM as string;
    const QCF = ids.QCF as string;
    await expectTRPCError(c.rename({ speciesId, callTypeId: QCF, shortName: "X" }), "NOT_FOUND");
    await expectTRPCError(c.merge({ speciesId, intoCallTypeId: FM, fromCallTypeIds: [QCF] }), "NOT_FOUND");
    await expectTRPCError(
      c.split({ speciesId, callTypeId: QCF, parts: [{ shortName: "Q1" }, { shortName: "Q2" }] }),
      "NOT_FOUND",
    );
    await expectTRPCError(
      c.change({ kind: "rename", speciesId, callTypeId: QCF, shortName: "X" }),
      "NOT_FOUND",
    );
    await expectTRPCError(
      c.preview({ kind: "rename", speciesId, callTypeId: QCF, shortName: "X" }),
      "NOT_FOUND",
    );
    await expectTRPCError(c.history({ speciesId }), "NOT_FOUND");
    await expectTRPCError(c.classifierStatus({ speciesId }), "NOT_FOUND");
    await expectTRPCError(c.reexpress({ speciesId, version: 0, labels: ["FM"] }), "NOT_FOUND");

    // the stranger's own species with the owner's call type id: the call type is NOT_FOUND too
    const own = await stranger.caller.species.create({
      name: "Own",
      callTypes: [{ shortName: "A" }, { shortName: "B" }],
    });
    await expectTRPCError(
      c.merge({ speciesId: own.id, intoCallTypeId: own.callTypes[0]?.id as string, fromCallTypeIds: [QCF] }),
      "NOT_FOUND",
      "Call type not found",
    );
    // …and the owner's cluster as a split selection
    const group = await t.deps.db.membership.findFirstOrThrow({ where: { userId: owner.id } });
    const run = await t.deps.db.clusteringRun.create({ data: { groupId: group.groupId, name: "r" } });
    const cluster = await t.deps.db.cluster.create({ data: { runId: run.id, index: 0 } });
    await expectTRPCError(
      c.split({
        speciesId: own.id,
        callTypeId: own.callTypes[0]?.id as string,
        parts: [{ shortName: "A1" }, { shortName: "A2", selection: { clusterId: cluster.id } }],
      }),
      "NOT_FOUND",
      "Cluster not found",
    );
    expect((await owner.caller.taxonomy.history({ speciesId })).currentVersion).toBe(1);
  });

  it("lets only a site admin change a system species", async () => {
    const sys = await t.deps.db.species.create({
      data: { name: "System taxonomy", isSystem: true, callTypes: { create: [{ shortName: "S1" }] } },
      include: { callTypes: true },
    });
    const input = { speciesId: sys.id, callTypeId: sys.callTypes[0]?.id as string, shortName: "S2" };
    await expectTRPCError(owner.caller.taxonomy.rename(input), "FORBIDDEN", /site admins/);
    await expectTRPCError(owner.caller.taxonomy.preview({ kind: "rename", ...input }), "FORBIDDEN");
    // reading a system species' history is open to every group
    expect((await owner.caller.taxonomy.history({ speciesId: sys.id })).changes).toEqual([]);
  });
});
