import type { BextMetadata, GuanoMetadata } from "./types.ts";

const utf8 = new TextDecoder("utf-8");
const latin1 = new TextDecoder("latin1");
const encoder = new TextEncoder();

function stripNuls(s: string): string {
  const i = s.indexOf("\0");
  return (i >= 0 ? s.slice(0, i) : s).trim();
}

/**
 * GUANO is UTF-8 text, one `key: value` per line. Keys contain no colon, so the first ": " splits;
 * values (timestamps, coordinates) may themselves contain colons. Writers pad with NULs or spaces.
 */
export function parseGuano(body: Uint8Array): GuanoMetadata {
  const text = utf8.decode(body).replace(/\0+$/g, "");
  const fields: Record<string, string> = {};
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.replace(/\0/g, "");
    if (!line.trim()) continue;
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim();
    // The spec escapes newlines inside values as "\n".
    const value = line
      .slice(colon + 1)
      .trim()
      .replace(/\\n/g, "\n");
    fields[key] = value;
  }
  const guano: GuanoMetadata = { fields };
  const version = fields["GUANO|Version"];
  if (version !== undefined) guano.version = version;
  return guano;
}

export function serializeGuano(guano: GuanoMetadata): Uint8Array {
  const fields = { ...guano.fields };
  if (!("GUANO|Version" in fields)) fields["GUANO|Version"] = guano.version ?? "1.0";
  // Spec: the version line comes first.
  const ordered = [
    ["GUANO|Version", fields["GUANO|Version"] ?? "1.0"],
    ...Object.entries(fields).filter(([k]) => k !== "GUANO|Version"),
  ];
  const text = ordered.map(([k, v]) => `${k}: ${String(v).replace(/\n/g, "\\n")}`).join("\n");
  return encoder.encode(text);
}

/** LIST chunk body: "INFO" followed by sub-chunks of zero-terminated text. Other list types are ignored. */
export function parseListInfo(body: Uint8Array): Record<string, string> | undefined {
  if (body.length < 4 || latin1.decode(body.subarray(0, 4)) !== "INFO") return undefined;
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const out: Record<string, string> = {};
  let pos = 4;
  while (pos + 8 <= body.length) {
    const id = latin1.decode(body.subarray(pos, pos + 4));
    const size = view.getUint32(pos + 4, true);
    const end = Math.min(body.length, pos + 8 + size);
    // INFO strings are nominally ASCII but UTF-8 is what modern writers emit.
    out[id] = stripNuls(utf8.decode(body.subarray(pos + 8, end)));
    pos = pos + 8 + size + (size & 1);
  }
  return out;
}

export function serializeListInfo(info: Record<string, string>): Uint8Array {
  const parts: Uint8Array[] = [encoder.encode("INFO")];
  for (const [id, value] of Object.entries(info)) {
    if (id.length !== 4) throw new Error(`LIST/INFO ids are four characters, got "${id}"`);
    const text = encoder.encode(value);
    const size = text.length + 1; // zero terminator
    const sub = new Uint8Array(8 + size + (size & 1));
    sub.set(encoder.encode(id), 0);
    new DataView(sub.buffer).setUint32(4, size, true);
    sub.set(text, 8);
    parts.push(sub);
  }
  return concat(parts);
}

/** EBU Tech 3285 layout: fixed 602-byte header then free-text coding history. */
export function parseBext(body: Uint8Array): BextMetadata | undefined {
  if (body.length < 348) return undefined;
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const text = (from: number, len: number) => stripNuls(latin1.decode(body.subarray(from, from + len)));
  const low = view.getUint32(338, true);
  const high = view.getUint32(342, true);
  const bext: BextMetadata = {
    description: text(0, 256),
    originator: text(256, 32),
    originatorReference: text(288, 32),
    originationDate: text(320, 10),
    originationTime: text(330, 8),
    timeReference: high * 2 ** 32 + low,
    version: view.getUint16(346, true),
    codingHistory: body.length > 602 ? text(602, body.length - 602) : "",
  };
  if (body.length >= 412) {
    const umid = body.subarray(348, 412);
    if (umid.some((b) => b !== 0)) bext.umid = Buffer.from(umid).toString("hex");
  }
  return bext;
}

export function serializeBext(bext: BextMetadata): Uint8Array {
  const history = encoder.encode(bext.codingHistory);
  const out = new Uint8Array(602 + history.length);
  const view = new DataView(out.buffer);
  const put = (s: string, at: number, len: number) => out.set(encoder.encode(s).subarray(0, len), at);
  put(bext.description, 0, 256);
  put(bext.originator, 256, 32);
  put(bext.originatorReference, 288, 32);
  put(bext.originationDate, 320, 10);
  put(bext.originationTime, 330, 8);
  view.setUint32(338, bext.timeReference % 2 ** 32, true);
  view.setUint32(342, Math.floor(bext.timeReference / 2 ** 32), true);
  view.setUint16(346, bext.version, true);
  if (bext.umid) out.set(Buffer.from(bext.umid, "hex").subarray(0, 64), 348);
  out.set(history, 602);
  return out;
}

export function concat(parts: Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
