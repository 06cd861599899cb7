// One look for every admin alert (disk, backup, worker failure, memory): a plain-text body that
// reads well in a terminal mail client and an HTML body built from the same parts.

export interface AlertTemplateInput {
  /** One-line summary, also the heading of the HTML body. */
  title: string;
  /** What happened, in a sentence or two. */
  summary: string;
  /** Label → value rows (host, disk, usage, …), shown as a table. */
  facts?: [label: string, value: string][];
  /** What the admin should do next. */
  action?: string;
  /** Longer raw text (a log tail, an error stack), shown preformatted. */
  details?: string;
}

export interface RenderedAlert {
  text: string;
  html: string;
}

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** Text and HTML bodies of an alert from the same parts. */
export function renderAlert(input: AlertTemplateInput): RenderedAlert {
  const facts = input.facts ?? [];
  const width = Math.max(0, ...facts.map(([label]) => label.length));
  const text = [
    input.title,
    "",
    input.summary,
    ...(facts.length ? ["", ...facts.map(([l, v]) => `${`${l}:`.padEnd(width + 2)}${v}`)] : []),
    ...(input.action ? ["", input.action] : []),
    ...(input.details ? ["", input.details] : []),
  ].join("\n");
  const html = [
    `<h2 style="font-family:sans-serif;margin:0 0 12px">${escapeHtml(input.title)}</h2>`,
    `<p style="font-family:sans-serif">${escapeHtml(input.summary)}</p>`,
    facts.length
      ? `<table style="font-family:sans-serif;border-collapse:collapse">${facts
          .map(
            ([l, v]) =>
              `<tr><th style="text-align:left;padding:2px 12px 2px 0">${escapeHtml(l)}</th><td style="padding:2px 0">${escapeHtml(v)}</td></tr>`,
          )
          .join("")}</table>`
      : "",
    input.action ? `<p style="font-family:sans-serif"><strong>${escapeHtml(input.action)}</strong></p>` : "",
    input.details
      ? `<pre style="background:#f4f4f4;padding:8px;white-space:pre-wrap">${escapeHtml(input.details)}</pre>`
      : "",
  ]
    .filter(Boolean)
    .join("\n");
  return { text, html };
}

/** The footer every alert carries: why the admin gets it and how often it may repeat. */
export function alertFooter(publicUrl: string, periodMs: number): RenderedAlert {
  const period = describePeriod(periodMs);
  const text = `You receive this as a site admin of BattyCoda at ${publicUrl}. This alert is sent at most once every ${period}.`;
  return {
    text,
    html: `<hr><p style="font-family:sans-serif;color:#666;font-size:12px">You receive this as a site admin of BattyCoda at <a href="${escapeHtml(publicUrl)}">${escapeHtml(publicUrl)}</a>. This alert is sent at most once every ${escapeHtml(period)}.</p>`,
  };
}

export function describePeriod(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, "day"],
    [3_600_000, "hour"],
    [60_000, "minute"],
    [1_000, "second"],
  ];
  for (const [size, name] of units) {
    if (ms >= size && ms % size === 0) {
      const n = ms / size;
      return n === 1 ? name : `${n} ${name}s`;
    }
  }
  return `${ms} ms`;
}
