import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { SEGMENTATION_ALGORITHMS } from "@battycoda/audio";
import { createTestDatabase, type TestDatabase } from "@battycoda/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyPassword } from "../src/auth/password.ts";
import {
  createSiteAdmin,
  DEFAULT_SHARED_DATA_DIR,
  initializeDefaults,
  SYSTEM_SPECIES,
} from "../src/defaults/index.ts";
import { LocalMediaStore } from "../src/media/local-store.ts";

let t: TestDatabase;
let mediaRoot: string;
beforeAll(async () => {
  t = await createTestDatabase();
  mediaRoot = fs.mkdtempSync(path.join(os.tmpdir(), "battycoda-media-"));
});
afterAll(async () => {
  await t?.drop();
  fs.rmSync(mediaRoot, { recursive: true, force: true });
});

async function snapshot() {
  return {
    species: await t.db.species.findMany({ orderBy: { name: "asc" } }),
    callTypes: await t.db.callType.findMany({ orderBy: [{ speciesId: "asc" }, { shortName: "asc" }] }),
    algorithms: await t.db.segmentationAlgorithm.findMany({ orderBy: { key: "asc" } }),
    classifiers: await t.db.classifier.findMany({ orderBy: { name: "asc" } }),
    clustering: await t.db.clusteringAlgorithm.findMany(),
  };
}

function csvLabels(file: string): string[] {
  const [header, ...rows] = fs.readFileSync(file, "utf8").trim().split(/\r?\n/);
  const cols = header!.split(",");
  const idx = cols.indexOf("label");
  // labels contain no commas in these files; the label is the last column
  return [...new Set(rows.map((r) => r.split(",").slice(idx).join(",").replace(/^"|"$/g, "")))].sort();
}

describe("initializeDefaults", () => {
  it("creates the system species, call types, algorithms and dummy classifier; a second run changes nothing", async () => {
    const hasShared = fs.existsSync(path.join(DEFAULT_SHARED_DATA_DIR, "species"));
    const first = await initializeDefaults({ ...t, media: new LocalMediaStore(mediaRoot) });
    expect(first.species).toEqual({ created: 2, existing: 0 });
    expect(first.callTypes.created).toBe(21);
    expect(first.segmentationAlgorithms.created).toBe(SEGMENTATION_ALGORITHMS.length);
    expect(first.classifiers).toEqual({ created: 1, existing: 0 });
    expect(first.images.copied).toBe(hasShared ? 2 : 0);
    const before = await snapshot();

    const second = await initializeDefaults({ ...t, media: new LocalMediaStore(mediaRoot) });
    expect(second).toMatchObject({
      species: { created: 0, existing: 2 },
      callTypes: { created: 0 },
      images: { copied: 0 },
      segmentationAlgorithms: { created: 0, updated: 0 },
      classifiers: { created: 0, existing: 1 },
    });
    expect(await snapshot()).toEqual(before);

    expect(before.species.map((s) => [s.name, s.isSystem, s.groupId])).toEqual([
      ["Carollia perspicillata", true, null],
      ["Eptesicus fuscus", true, null],
    ]);
    expect(before.algorithms.map((a) => a.key).sort()).toEqual(["energy", "spectral", "threshold"]);
    const threshold = before.algorithms.find((a) => a.key === "threshold")!;
    expect(threshold.defaultParams).toMatchObject({
      min_duration_ms: 10,
      smooth_window: 3,
      threshold_factor: 0.5,
    });
    expect(before.classifiers).toMatchObject([{ name: "Dummy classifier", type: "dummy", groupId: null }]);

    if (hasShared) {
      for (const s of before.species) {
        expect(s.imagePath).toMatch(/^system\/species\/.+-repertoire\.(jpg|png)$/);
        expect(fs.statSync(path.join(mediaRoot, s.imagePath!)).size).toBeGreaterThan(1000);
      }
    }
  });

  it("uses exactly the labels of the reference feature tables as call types", async () => {
    const features = path.join(DEFAULT_SHARED_DATA_DIR, "features");
    if (!fs.existsSync(features)) return; // the product does not need ../shared; this check does
    const byFile: Record<string, string> = {
      "Eptesicus fuscus": "efuscus_features.csv",
      "Carollia perspicillata": "carollia_features.csv",
    };
    for (const def of SYSTEM_SPECIES) {
      expect(def.callTypes.map(([s]) => s).sort()).toEqual(csvLabels(path.join(features, byFile[def.name]!)));
    }
  });

  it("keeps what an admin changed and restores what is missing", async () => {
    const ef = await t.db.species.findFirstOrThrow({ where: { groupId: null, name: "Eptesicus fuscus" } });
    await t.db.species.update({ where: { id: ef.id }, data: { description: "Edited by the admin" } });
    await t.db.callType.create({ data: { speciesId: ef.id, shortName: "NEW", longName: "Added by admin" } });
    await t.db.callType.deleteMany({ where: { speciesId: ef.id, shortName: "QCF" } });
    const r = await initializeDefaults(
      { ...t, media: new LocalMediaStore(mediaRoot) },
      { sharedDataDir: null },
    );
    expect(r.callTypes.created).toBe(1);
    const after = await t.db.species.findUniqueOrThrow({
      where: { id: ef.id },
      include: { callTypes: true },
    });
    expect(after.description).toBe("Edited by the admin");
    expect(after.callTypes.map((c) => c.shortName)).toEqual(expect.arrayContaining(["QCF", "NEW"]));
  });

  it("is safe to run concurrently", async () => {
    const u = await createTestDatabase();
    try {
      await Promise.all(
        [1, 2, 3].map(() =>
          initializeDefaults({ ...u, media: new LocalMediaStore(mediaRoot) }, { sharedDataDir: null }),
        ),
      );
      expect(await u.db.species.count()).toBe(2);
      expect(await u.db.callType.count()).toBe(21);
      expect(await u.db.segmentationAlgorithm.count()).toBe(SEGMENTATION_ALGORITHMS.length);
      expect(await u.db.classifier.count()).toBe(1);
    } finally {
      await u.drop();
    }
  });
});

describe("createSiteAdmin", () => {
  it("creates a site admin with a personal group, generating the password", async () => {
    const r = await createSiteAdmin(t, { username: "admin", email: "admin@example.org" });
    expect(r.created).toBe(true);
    expect(r.user.isSiteAdmin).toBe(true);
    expect(r.password).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect(await verifyPassword(r.password!, r.user.passwordHash!)).toBe(true);
    const memberships = await t.db.membership.findMany({
      where: { userId: r.user.id },
      include: { group: true },
    });
    expect(memberships).toHaveLength(1);
    expect(memberships[0]!.isAdmin).toBe(true);
  });

  it("promotes an existing user and only changes the password when given", async () => {
    const again = await createSiteAdmin(t, { username: "ADMIN", email: "ignored@example.org" });
    expect(again.created).toBe(false);
    expect(again.password).toBeUndefined();
    const changed = await createSiteAdmin(t, {
      username: "admin",
      email: "x@example.org",
      password: "a-new-password",
    });
    expect(await verifyPassword("a-new-password", changed.user.passwordHash!)).toBe(true);
    expect(await t.db.user.count({ where: { username: "admin" } })).toBe(1);
  });

  it("rejects invalid input with a readable message", async () => {
    await expect(createSiteAdmin(t, { username: "x", email: "nope" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });
});
