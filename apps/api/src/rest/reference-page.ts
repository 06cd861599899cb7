// The API reference as one server-rendered HTML page from the OpenAPI document: no script, no
// CDN, one nonce'd <style>, so every CSP mode (strict included) renders it as is.
import type { OpenApiDocument } from "./openapi.ts";

const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

interface Operation {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  parameters?: { name: string; in: string; required: boolean; schema: unknown; description?: string }[];
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }>;
}

const json = (v: unknown) => `<pre>${esc(JSON.stringify(v, null, 2))}</pre>`;

function typeOf(schema: unknown): string {
  const s = schema as { type?: unknown; enum?: unknown[]; format?: string };
  if (s.enum) return s.enum.map((e) => JSON.stringify(e)).join(" | ");
  return [s.type ?? "any"].flat().join(" | ") + (s.format ? ` (${s.format})` : "");
}

function renderOperation(method: string, path: string, op: Operation, shared: Operation["parameters"]) {
  const params = [...(op.parameters ?? []), ...(shared ?? [])];
  const rows = params
    .map(
      (p) =>
        `<tr><td><code>${esc(p.name)}</code>${p.required ? " <b>*</b>" : ""}</td><td>${esc(p.in)}</td><td>${esc(typeOf(p.schema))}</td><td>${esc(p.description ?? "")}</td></tr>`,
    )
    .join("");
  const body = op.requestBody
    ? Object.entries(op.requestBody.content)
        .map(
          ([type, c]) => `<details><summary>Request body (${esc(type)})</summary>${json(c.schema)}</details>`,
        )
        .join("")
    : "";
  const responses = Object.entries(op.responses)
    .map(([status, r]) => {
      const content = Object.entries(r.content ?? {})
        .filter(([, c]) => !("$ref" in (c.schema as object)))
        .map(([type, c]) => `<details><summary>${esc(type)}</summary>${json(c.schema)}</details>`)
        .join("");
      return `<li><b>${esc(status)}</b> ${esc(r.description)}${content}</li>`;
    })
    .join("");
  return `<section id="${esc(op.operationId)}" class="op">
<h3><span class="m ${esc(method)}">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code></h3>
<p>${esc(op.summary)}${op.description ? ` <small>${esc(op.description)}</small>` : ""}</p>
${rows ? `<table><tr><th>parameter</th><th>in</th><th>type</th><th></th></tr>${rows}</table>` : ""}
${body}<ul class="responses">${responses}</ul></section>`;
}

export function renderReferencePage(doc: OpenApiDocument, nonce: string): string {
  const byTag = new Map<string, string[]>();
  const toc = new Map<string, string[]>();
  for (const [path, item] of Object.entries(doc.paths) as [string, Record<string, unknown>][]) {
    const shared = item.parameters as Operation["parameters"];
    for (const [method, raw] of Object.entries(item)) {
      if (method === "parameters") continue;
      const op = raw as Operation;
      const tag = op.tags[0] ?? "other";
      byTag.set(tag, [...(byTag.get(tag) ?? []), renderOperation(method, path, op, shared)]);
      toc.set(tag, [
        ...(toc.get(tag) ?? []),
        `<li><a href="#${esc(op.operationId)}">${esc(method.toUpperCase())} ${esc(path)}</a></li>`,
      ]);
    }
  }
  const tags = [...byTag.keys()].sort();
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(doc.info.title)} reference</title>
<style nonce="${esc(nonce)}">
body{font:15px/1.45 system-ui,sans-serif;margin:0;display:flex;color:#1d232a}
nav{width:22rem;height:100vh;overflow:auto;position:sticky;top:0;background:#f4f6f8;padding:1rem;font-size:13px;box-sizing:border-box}
nav ul{list-style:none;padding-left:.5rem}main{flex:1;padding:1rem 2rem;max-width:60rem}
.op{border-top:1px solid #dde;padding:.5rem 0}.m{display:inline-block;min-width:4rem;font-size:12px;padding:2px 6px;border-radius:4px;color:#fff;background:#557}
.m.get{background:#2b7a4b}.m.post{background:#2b5c9a}.m.patch{background:#8a6d1e}.m.delete{background:#a33}
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #dde;padding:2px 8px;text-align:left}
pre{background:#f7f7f9;padding:.5rem;overflow:auto;font-size:12px;max-height:30rem}
</style></head><body>
<nav><h2>${esc(doc.info.title)}</h2><p><a href="/api/openapi.json">openapi.json</a> (3.1)</p>
${tags.map((t) => `<h4>${esc(t)}</h4><ul>${(toc.get(t) ?? []).join("")}</ul>`).join("")}</nav>
<main><h1>${esc(doc.info.title)} ${esc(doc.info.version)}</h1><p>${esc(doc.info.description)}</p>
${tags.map((t) => `<h2>${esc(t)}</h2>${(byTag.get(t) ?? []).join("")}`).join("")}
</main></body></html>`;
}
