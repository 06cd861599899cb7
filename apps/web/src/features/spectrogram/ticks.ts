/** "Nice" axis ticks (1, 2, 5 × 10^k steps). */
export function niceStep(span: number, maxTicks: number): number {
  if (!(span > 0) || maxTicks < 1) return 1;
  const raw = span / maxTicks;
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

export function ticks(from: number, to: number, maxTicks: number): { values: number[]; step: number } {
  const step = niceStep(to - from, maxTicks);
  const values: number[] = [];
  const first = Math.ceil(from / step - 1e-9) * step;
  for (let v = first, i = 0; v <= to + step * 1e-9 && i < 1000; i++, v = first + i * step) {
    values.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  }
  return { values, step };
}

/** Decimals needed to show values on a grid of `step` without repeating labels. */
export function decimalsFor(step: number): number {
  if (step >= 1) return 0;
  return Math.min(6, Math.ceil(-Math.log10(step) - 1e-9));
}

export function formatTime(t: number, step: number): string {
  const d = decimalsFor(step);
  if (t >= 60 && step >= 1) {
    const m = Math.floor(t / 60);
    const s = t - m * 60;
    return `${m}:${s.toFixed(0).padStart(2, "0")}`;
  }
  return `${t.toFixed(d)} s`;
}

export function formatKHz(hz: number, stepHz: number): string {
  return `${(hz / 1000).toFixed(decimalsFor(stepHz / 1000))}`;
}
