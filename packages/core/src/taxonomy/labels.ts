// Label saves and taxonomy changes of one species take turns on the species row. A rename, merge or
// split holds it FOR UPDATE for its whole transaction (change.ts); a save holds it FOR SHARE while it
// checks the call type and writes. So a save lands either before the change (and the change rewrites
// it) or after it (and sees the new call types): never a label on a call type the change removed.
import type { DbTransaction } from "../access/db.ts";
import { conflict } from "../access/errors.ts";

/** A save waits this long for a running change (they take seconds, big species minutes), then says so. */
export const LABEL_LOCK_TIMEOUT = "10s";

function isLockTimeout(err: unknown): boolean {
  const text = `${(err as { message?: unknown })?.message ?? ""}`;
  return text.includes("55P03") || /lock timeout/i.test(text);
}

/** Call inside the save's transaction, before checking the label against the call types. */
export async function lockSpeciesForLabels(
  tx: DbTransaction,
  speciesIds: readonly (string | null | undefined)[],
): Promise<void> {
  // sorted: two saves over several species never wait on each other in a cycle
  const ids = [...new Set(speciesIds.filter((id): id is string => !!id))].sort();
  if (ids.length === 0) return;
  await tx.$queryRaw`SELECT set_config('lock_timeout', ${LABEL_LOCK_TIMEOUT}, true)`;
  try {
    await tx.$queryRaw`SELECT id FROM "Species" WHERE id = ANY(${ids}::text[]) ORDER BY id FOR SHARE`;
  } catch (err) {
    if (isLockTimeout(err))
      throw conflict(
        "The call types of this species are being renamed, merged or split right now; save again in a moment",
      );
    throw err;
  }
  await tx.$queryRaw`SELECT set_config('lock_timeout', '0', true)`;
}

/**
 * Why a short name is not (or no longer) a call type: the latest rename, merge or split that
 * mapped it away, e.g. ` (merged into "A" in taxonomy version 3)`; empty when no change mentions it.
 */
export async function formerCallTypeNote(
  tx: DbTransaction,
  speciesId: string,
  label: string,
): Promise<string> {
  const [row] = await tx.$queryRaw<{ kind: string; version: number; target: unknown }[]>`
    SELECT kind::text AS kind, version, details->'mapping'->${label} AS target
    FROM "TaxonomyChange"
    WHERE "speciesId" = ${speciesId} AND details->'mapping' ? ${label}
    ORDER BY version DESC LIMIT 1`;
  if (!row) return "";
  const targets = (Array.isArray(row.target) ? row.target : [row.target]).map((t) => `"${t}"`);
  const verb = row.kind === "merge" ? "merged into" : row.kind === "split" ? "split into" : "renamed to";
  return ` (${verb} ${targets.join(", ")} in taxonomy version ${row.version})`;
}
