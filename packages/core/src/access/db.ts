// Aliases over @battycoda/db's names, so domain code reads the same everywhere.
export type { Db, DbTransaction as Tx, DbLike as DbOrTx } from "@battycoda/db";
