/**
 * The search string with `key` set to `value` (removed when empty), starting from the address
 * bar rather than a render's copy of it: two quick changes (filter, then order) must not undo
 * each other — React Router's navigation commits in a transition, so the hook's params (even in a
 * functional update) can still be those of the previous render.
 */
export function withParam(current: string, key: string, value: string): URLSearchParams {
  const next = new URLSearchParams(current);
  if (value) next.set(key, value);
  else next.delete(key);
  return next;
}
