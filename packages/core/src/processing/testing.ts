// Test helpers for processing (used by core and worker tests; not exported from the index).
import { copyFile, mkdir } from "node:fs/promises";
import path from "node:path";
import type { Db, Recording } from "@battycoda/db";
import type { DbContext } from "../access/context.ts";
import { recordingDir, resolveStoredPath } from "../media/media.ts";

export async function createGroup({ db }: DbContext, name = "Lab"): Promise<string> {
  return (await db.group.create({ data: { name } })).id;
}

/** A pending Recording whose file is a copy of `wav`, stored where uploads put it. */
export async function createRecordingFromWav(
  { db }: DbContext,
  mediaRoot: string,
  groupId: string,
  wav: string,
  extra: { name?: string; recordedDate?: Date; metadata?: object } = {},
): Promise<Recording> {
  const rec = await db.recording.create({
    data: {
      groupId,
      name: extra.name ?? path.basename(wav).replace(/\.wav$/i, ""),
      filePath: "",
      originalFilename: path.basename(wav),
      ...(extra.recordedDate ? { recordedDate: extra.recordedDate } : {}),
      ...(extra.metadata ? { metadata: extra.metadata } : {}),
    },
  });
  const rel = path.posix.join(recordingDir(groupId, rec.id), path.basename(wav).toLowerCase());
  const abs = resolveStoredPath(mediaRoot, rel);
  await mkdir(path.dirname(abs), { recursive: true });
  await copyFile(wav, abs);
  return db.recording.update({ where: { id: rec.id }, data: { filePath: rel } });
}
