// The database types domain code uses: `Db` opens transactions, `DbOrTx` is what a function that
// works inside or outside one takes, `DbTransaction` is the callback's client.
export type { Db, DbOrTx, DbTransaction } from "@battycoda/db";
