// A preview is the change itself, run in a transaction that is then rolled back: the counts are
// exactly what confirming would rewrite, and every refusal (unknown call type, name clash,
// overlapping selections) shows up before the user confirms.
import type { GroupAccess } from "../access/access.ts";
import type { DbContext } from "../access/context.ts";
import type { Db } from "../access/db.ts";
import { CHANGE_TRANSACTION } from "./change.ts";
import { mergeCallTypes } from "./merge.ts";
import { renameCallType } from "./rename.ts";
import {
  type TTaxonomyChangeRequest,
  type TTaxonomyChangeResult,
  ZTaxonomyChangeRequest,
} from "./schemas.ts";
import { splitCallType } from "./split.ts";

class Rollback extends Error {
  constructor(readonly result: TTaxonomyChangeResult) {
    super("preview rollback");
  }
}

export function applyTaxonomyChange(ctx: DbContext, access: GroupAccess, raw: TTaxonomyChangeRequest) {
  const input = ZTaxonomyChangeRequest.parse(raw);
  if (input.kind === "rename") return renameCallType(ctx, access, input);
  if (input.kind === "merge") return mergeCallTypes(ctx, access, input);
  return splitCallType(ctx, access, input);
}

export async function previewTaxonomyChange(
  { db }: DbContext,
  access: GroupAccess,
  raw: TTaxonomyChangeRequest,
) {
  // Inside a caller's transaction the rollback would take the caller's work with it.
  if (!("$transaction" in db))
    throw new Error("previewTaxonomyChange needs the root client, not a transaction");
  try {
    await (db as Db).$transaction(async (tx) => {
      throw new Rollback(await applyTaxonomyChange({ db: tx }, access, raw));
    }, CHANGE_TRANSACTION);
  } catch (err) {
    if (err instanceof Rollback) {
      const { kind, mapping, counts, version } = err.result;
      return { kind, mapping, counts, version };
    }
    throw err;
  }
  throw new Error("unreachable: the preview transaction always rolls back");
}
