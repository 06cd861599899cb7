// A command's action imports its module only when the command runs. The definitions (names,
// descriptions, options) are all `battycoda --help` needs, and they load nothing but commander;
// the database client, the AWS SDK, the audio code … are read only by the command that uses them.

/** `.action(lazy(() => import("./x.run.ts").then((m) => m.run)))` */
export function lazy<A extends unknown[]>(
  load: () => Promise<(...args: A) => Promise<void> | void>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const run = await load();
    await run(...args);
  };
}

/** Option parser for counts; a bad value stops before anything is loaded. */
export const positiveInt = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a whole number ≥ 1 (got "${v}")`);
  return n;
};

export const positiveNumber = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a number > 0 (got "${v}")`);
  return n;
};
