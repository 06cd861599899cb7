/** Text-table plumbing shared by the CSV and Raven readers. */

export interface Line {
  /** 1-based, as an editor shows it */
  number: number;
  text: string;
}

/** UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252 (Raven on Windows, Excel exports). */
export function decodeText(buf: Uint8Array): string {
  if (buf[0] === 0xff && buf[1] === 0xfe) return new TextDecoder("utf-16le").decode(buf.subarray(2));
  if (buf[0] === 0xfe && buf[1] === 0xff) return new TextDecoder("utf-16be").decode(buf.subarray(2));
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(buf);
  } catch {
    return new TextDecoder("windows-1252").decode(buf);
  }
}

export function splitLines(text: string): Line[] {
  return text.split(/\r\n|\r|\n/).map((t, i) => ({ number: i + 1, text: t }));
}

export function isBlankOrComment(line: string): boolean {
  const t = line.trim();
  return t === "" || t.startsWith("#");
}

/** One line of delimited text; quotes as in RFC 4180 (fields never span lines here). */
export function splitCells(line: string, delimiter: string): string[] | { error: string } {
  const cells: string[] = [];
  let cur = "";
  let quoted = false;
  let wasQuoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"' && cur.trim() === "" && !wasQuoted) {
      quoted = true;
      wasQuoted = true;
      cur = "";
    } else if (c === delimiter) {
      cells.push(wasQuoted ? cur : cur.trim());
      cur = "";
      wasQuoted = false;
    } else {
      cur += c;
    }
  }
  if (quoted) return { error: "unterminated quoted field" };
  cells.push(wasQuoted ? cur : cur.trim());
  return cells;
}

/** The delimiter that splits the header line most; tab wins ties (Raven and pasted spreadsheets). */
export function detectDelimiter(header: string): "," | ";" | "\t" {
  const counts = (["\t", ";", ","] as const).map((d) => {
    const cells = splitCells(header, d);
    return { d, n: Array.isArray(cells) ? cells.length : 0 };
  });
  counts.sort((a, b) => b.n - a.n);
  return (counts[0] as { d: "," | ";" | "\t" }).d;
}

/** For export: quote when a cell holds the delimiter, a quote or a line break. */
export function quoteCell(value: string, delimiter: string): string {
  return value.includes(delimiter) || /["\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
