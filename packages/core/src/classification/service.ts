// The R classifier server's state for /health and the UI: up, down, or busy (training, or too
// occupied to answer /ping in time). Pings are cached briefly so polling pages cost R nothing.
import type { Db } from "@battycoda/db";
import { RClient, RServerTimeoutError } from "@battycoda/r-client";
import { errorText } from "../segmentation/common.ts";
import type { TServiceStatus } from "./schemas.ts";

const CACHE_MS = 5_000;
const PING_TIMEOUT_MS = 2_000;

const cache = new Map<string, { at: number; value: Promise<Omit<TServiceStatus, "training">> }>();

async function ping(url: string): Promise<Omit<TServiceStatus, "training">> {
  const checkedAt = new Date().toISOString();
  try {
    const p = await new RClient({ baseUrl: url }).ping({ timeoutMs: PING_TIMEOUT_MS });
    return { state: "up", url, checkedAt, rVersion: p.rVersion, message: null };
  } catch (err) {
    if (err instanceof RServerTimeoutError)
      return {
        state: "busy",
        url,
        checkedAt,
        rVersion: null,
        message: "The classifier service is busy and did not answer in time",
      };
    return { state: "down", url, checkedAt, rVersion: null, message: errorText(err) };
  }
}

/** `db` adds the number of trainings in progress (busy while any runs). */
export async function classifierServiceStatus(url: string, db?: Db | null): Promise<TServiceStatus> {
  const now = Date.now();
  let hit = cache.get(url);
  if (!hit || now - hit.at > CACHE_MS) {
    hit = { at: now, value: ping(url) };
    cache.set(url, hit);
  }
  const [base, training] = await Promise.all([
    hit.value,
    db ? db.classifierTrainingJob.count({ where: { status: "running" } }) : Promise.resolve(0),
  ]);
  if (base.state === "up" && training > 0)
    return {
      ...base,
      state: "busy",
      training,
      message: `Training ${training} classifier${training === 1 ? "" : "s"}`,
    };
  return { ...base, training };
}
