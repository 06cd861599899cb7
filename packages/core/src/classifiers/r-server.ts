// Commands run outside the app (CLI training, initialize-defaults) use the R server at R_SERVER_URL
// when one answers, else start one for their own duration.
import { RClient, type RServerHandle, startRServer } from "@battycoda/r-client";

export interface WithRServerOptions {
  url: string;
  log?: (line: string) => void;
  /** Environment of a started server (e.g. R_MODEL_CACHE_DIR). */
  env?: NodeJS.ProcessEnv;
}

export async function withRServer<T>(
  options: WithRServerOptions,
  fn: (client: RClient) => Promise<T>,
): Promise<T> {
  const log = options.log ?? (() => {});
  const existing = new RClient({ baseUrl: options.url });
  let started: RServerHandle | null = null;
  try {
    await existing.ping({ timeoutMs: 3_000 });
    log(`Using the R server at ${options.url}`);
  } catch {
    log(`No R server answers at ${options.url}; starting one`);
    started = await startRServer({ startupTimeoutMs: 60_000, ...(options.env ? { env: options.env } : {}) });
    log(`R server started at ${started.url} (pid ${started.pid})`);
  }
  try {
    return await fn(started ? started.client : existing);
  } finally {
    if (started) {
      await started.stop();
      log("R server stopped");
    }
  }
}
