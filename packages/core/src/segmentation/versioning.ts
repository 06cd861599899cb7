import type { DbTransaction } from "@battycoda/db";
import type { GroupAccess } from "../access/access.ts";
import { DomainError, notFound } from "../access/errors.ts";

/**
 * Optimistic concurrency for a segmentation's segments. The conditional UPDATE takes the row lock,
 * so a second writer holding the same `expectedVersion` waits for the first to commit, then sees the
 * new version in PostgreSQL's re-check of the WHERE clause and matches nothing: it gets CONFLICT with
 * the current version instead of silently overwriting (READ COMMITTED is enough for this).
 *
 * Only completed segmentations are editable: a pending or running one is about to be replaced by
 * its job. `expectedVersion` undefined skips the check (imports appended by the batch upload).
 * Returns the new version.
 */
export async function bumpVersion(
  tx: DbTransaction,
  access: GroupAccess,
  segmentationId: string,
  expectedVersion: number | undefined,
  options: { manuallyEdited: boolean },
): Promise<number> {
  const { count } = await tx.segmentation.updateMany({
    where: {
      id: segmentationId,
      groupId: access.groupId,
      status: "completed",
      ...(expectedVersion !== undefined ? { version: expectedVersion } : {}),
    },
    data: { version: { increment: 1 }, ...(options.manuallyEdited ? { manuallyEdited: true } : {}) },
  });
  const current = await tx.segmentation.findFirst({
    where: { id: segmentationId, groupId: access.groupId },
    select: { version: true, status: true },
  });
  if (!current) throw notFound("Segmentation");
  if (count === 0) {
    if (current.status !== "completed") {
      throw new DomainError(
        "PRECONDITION_FAILED",
        `This segmentation is ${current.status}; it can be edited once its run has completed`,
        { currentVersion: current.version, status: current.status },
      );
    }
    throw new DomainError(
      "CONFLICT",
      `The segments were changed by someone else (now version ${current.version}, your edit was based on version ${expectedVersion}); reload and apply your edit again`,
      { currentVersion: current.version },
    );
  }
  return current.version;
}
