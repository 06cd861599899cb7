// Wildlife Acoustics' `wamd` chunk (Song Meter, Echo Meter, Kaleidoscope; their wa_meta.h): after a version
// subchunk, subchunks of u16 id, u32 length and a value, little endian. Read for what a researcher or the reader needs:
// the device and its settings as text, and the time-expansion factor (see time-expansion.ts).
import type { WamdMetadata } from "./types.ts";

/** Text subchunks by id, under the names we show them with. Binary ones (voice note, settings blocks) are skipped. */
const TEXT_TAGS: Record<number, string> = {
  1: "model",
  2: "serial",
  3: "firmware",
  4: "prefix",
  5: "startTime",
  6: "gpsFirst",
  8: "software",
  10: "notes",
  11: "autoId",
  12: "manualId",
  14: "autoIdStats",
  18: "micType",
  19: "micSensitivity",
  20: "positionLast",
  21: "temperatureInt",
  22: "temperatureExt",
  23: "humidity",
  24: "light",
};
const VERSION = 0x00;
const TIME_EXPANSION = 0x0f;

const utf8 = new TextDecoder("utf-8");

/** The chunk's body; undefined when it is not version 1 (the format says not to read further then). */
export function parseWamd(body: Uint8Array): WamdMetadata | undefined {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const out: WamdMetadata = { fields: {} };
  let first = true;
  for (let pos = 0; pos + 6 <= body.length; ) {
    const id = view.getUint16(pos, true);
    const size = view.getUint32(pos + 2, true);
    const start = pos + 6;
    const end = Math.min(body.length, start + size);
    if (first && (id !== VERSION || size < 2 || view.getUint16(start, true) !== 1)) return undefined;
    first = false;
    if (id === TIME_EXPANSION && end - start >= 2) out.timeExpansion = view.getUint16(start, true);
    const name = TEXT_TAGS[id];
    if (name) {
      const text = utf8.decode(body.subarray(start, end)).replace(/\0+$/g, "").trim();
      if (text) out.fields[name] = text;
    }
    pos = start + size;
  }
  return first ? undefined : out;
}
