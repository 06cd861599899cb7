// Aliases over @battycoda/db's names, so domain code reads the same everywhere.
export type { Db, DbLike as DbOrTx, DbTransaction as Tx } from "@battycoda/db";
