// Call-type import modes and the starter species of a new group, against real PostgreSQL.
import { createTestDatabase, type TestDatabase } from "@battycoda/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GroupAccess } from "../access/access.ts";
import { importCallTypes } from "./call-types.ts";
import { listSpecies } from "./species.ts";
import { createStarterSpecies, STARTER_SPECIES } from "./starter-species.ts";

let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.drop();
});

async function newGroup(name: string): Promise<GroupAccess> {
  const group = await t.db.group.create({
    data: { name: `${name}-${Math.random().toString(36).slice(2, 8)}` },
  });
  return {
    userId: "u",
    isSiteAdmin: false,
    groupId: group.id,
    groupName: group.name,
    membershipId: "m",
    isGroupAdmin: true,
  };
}

describe("importCallTypes", () => {
  async function speciesWith(access: GroupAccess) {
    return t.db.species.create({
      data: {
        groupId: access.groupId,
        name: "Myotis importus",
        callTypes: {
          create: [
            { shortName: "FM", longName: "Frequency modulated" },
            { shortName: "CF", longName: "Constant frequency" },
          ],
        },
      },
    });
  }

  it("merge keeps the long name of a call type the file names without one", async () => {
    const access = await newGroup("merge");
    const species = await speciesWith(access);
    const res = await importCallTypes({ db: t.db }, access, {
      speciesId: species.id,
      mode: "merge",
      text: "FM\nCF,Constant-frequency call\nQCF\n",
    });
    expect(res.callTypes.map((c) => [c.shortName, c.longName])).toEqual([
      ["CF", "Constant-frequency call"],
      ["FM", "Frequency modulated"],
      ["QCF", ""],
    ]);
    expect(res).toMatchObject({ created: 1, updated: 1, deleted: 0 });
  });

  it("replace makes the file the whole list, empty long names included", async () => {
    const access = await newGroup("replace");
    const species = await speciesWith(access);
    const res = await importCallTypes({ db: t.db }, access, {
      speciesId: species.id,
      mode: "replace",
      text: "FM\n",
    });
    expect(res.callTypes.map((c) => [c.shortName, c.longName])).toEqual([["FM", ""]]);
    expect(res).toMatchObject({ created: 0, updated: 1, deleted: 1 });
  });
});

describe("createStarterSpecies", () => {
  it("copies the starter species into a group only while no system species of that name serves it", async () => {
    const before = await newGroup("before-defaults");
    const copy = await createStarterSpecies({ db: t.db }, before.groupId, null);
    expect(copy?.groupId).toBe(before.groupId);
    expect(await t.db.callType.count({ where: { speciesId: copy?.id } })).toBe(
      STARTER_SPECIES.callTypes.length,
    );

    const system = await t.db.species.create({
      data: {
        name: STARTER_SPECIES.name,
        isSystem: true,
        callTypes: {
          create: STARTER_SPECIES.callTypes.map(([shortName, longName]) => ({ shortName, longName })),
        },
      },
    });
    const after = await newGroup("after-defaults");
    expect(await createStarterSpecies({ db: t.db }, after.groupId, null)).toBeNull();
    expect(await t.db.species.count({ where: { groupId: after.groupId } })).toBe(0);
    const visible = await listSpecies({ db: t.db }, after);
    expect(
      visible.filter((s) => s.name === STARTER_SPECIES.name).map((s) => [s.id, s.isSystem, s.owner]),
    ).toEqual([[system.id, true, "System"]]);

    // The group that got its copy before the defaults existed sees both, told apart by owner.
    const both = await listSpecies({ db: t.db }, before);
    expect(
      both.filter((s) => s.name === STARTER_SPECIES.name).map((s) => [s.isSystem, s.owner, s.systemCopyOf]),
    ).toEqual([
      [true, "System", null],
      [false, before.groupName, system.id],
    ]);
  });
});
