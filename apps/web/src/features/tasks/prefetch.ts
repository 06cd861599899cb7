/**
 * The client side of "moving to the next call feels immediate": the calls ahead (server hints
 * from nextTask take>1) are known before they are needed, so Enter shows the next one at once and
 * the server's answer only confirms (or corrects) it.
 */

export interface QueueState<T extends { id: string }> {
  current: T | null;
  /** Calls after the current one, in batch order (prefetch hints). */
  ahead: T[];
  /** Calls visited before the current one, most recent last (for ←). */
  behind: T[];
}

export function emptyQueue<T extends { id: string }>(): QueueState<T> {
  return { current: null, ahead: [], behind: [] };
}

/** At most this many visited calls are kept for ←. */
const BEHIND_MAX = 50;

/** Moves to the first call ahead at once (null while the server has not said what comes next). */
export function advance<T extends { id: string }>(s: QueueState<T>): QueueState<T> {
  const [next = null, ...rest] = s.ahead;
  const behind = s.current ? [...s.behind, s.current].slice(-BEHIND_MAX) : s.behind;
  return { current: next, ahead: rest, behind };
}

/** Back to the previous call if it is known locally; otherwise unchanged (the server is asked). */
export function goBack<T extends { id: string }>(s: QueueState<T>): QueueState<T> {
  if (s.behind.length === 0) return s;
  const prev = s.behind[s.behind.length - 1] as T;
  return {
    current: prev,
    ahead: s.current ? [s.current, ...s.ahead] : s.ahead,
    behind: s.behind.slice(0, -1),
  };
}

/**
 * The server's authoritative current call (nextTask's first, saveLabel's/skipTask's `next`).
 * Same as shown → refreshed in place. A different one (the shown call was taken by someone else,
 * or the server's order moved on) → it becomes current and the hints before it are dropped.
 * `null` → nothing left.
 */
export function confirmCurrent<T extends { id: string }>(s: QueueState<T>, task: T | null): QueueState<T> {
  if (!task) return { ...s, current: null, ahead: [] };
  if (s.current?.id === task.id) return { ...s, current: task };
  const i = s.ahead.findIndex((t) => t.id === task.id);
  const ahead = i >= 0 ? s.ahead.slice(i + 1) : s.ahead.filter((t) => t.id !== task.id);
  const behind = s.behind.filter((t) => t.id !== task.id);
  return { current: task, ahead, behind };
}

/** Merges server hints into `ahead` (server order, no duplicates, never the current call). */
export function addHints<T extends { id: string }>(
  s: QueueState<T>,
  hints: readonly T[],
  max = 10,
): QueueState<T> {
  const skip = new Set<string>(s.current ? [s.current.id] : []);
  const merged = new Map<string, T>();
  for (const t of s.ahead) if (!skip.has(t.id)) merged.set(t.id, t);
  for (const t of hints) if (!skip.has(t.id)) merged.set(t.id, t);
  return { ...s, ahead: [...merged.values()].slice(0, max) };
}

/** Drops a call everywhere (e.g. the server says it is locked by someone else). */
export function dropTask<T extends { id: string }>(s: QueueState<T>, id: string): QueueState<T> {
  if (s.current?.id === id) return advance({ ...s, current: null });
  return { ...s, ahead: s.ahead.filter((t) => t.id !== id), behind: s.behind.filter((t) => t.id !== id) };
}

/** The keys of the calls whose assets should be warm: the current one first, then `depth` ahead. */
export function prefetchPlan<T extends { id: string }>(s: QueueState<T>, depth: number): T[] {
  return [...(s.current ? [s.current] : []), ...s.ahead.slice(0, depth)];
}

/**
 * A small least-recently-used cache (images, decoded clips). `onEvict` lets an owner release what
 * an entry holds.
 */
export class LruCache<V> {
  private map = new Map<string, V>();
  constructor(
    readonly capacity: number,
    private readonly onEvict?: (key: string, value: V) => void,
  ) {}

  get size(): number {
    return this.map.size;
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v === undefined) return undefined;
    this.map.delete(key);
    this.map.set(key, v);
    return v;
  }

  set(key: string, value: V): void {
    if (this.map.has(key)) this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.capacity) {
      const oldest = this.map.keys().next().value as string;
      const v = this.map.get(oldest) as V;
      this.map.delete(oldest);
      this.onEvict?.(oldest, v);
    }
  }

  keys(): string[] {
    return [...this.map.keys()];
  }
}
