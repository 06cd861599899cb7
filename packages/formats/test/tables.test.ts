import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  exportRavenTable,
  exportSegmentsCsv,
  formatNotes,
  formatNumber,
  parseDecimal,
  parseNotes,
  parseRavenTable,
  parseSegmentFile,
  parseSegmentsCsv,
  SegmentFileError,
  validateAgainstDuration,
} from "../src/index.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const realPickle = path.resolve(here, "../../..", "../shared/data/recordings/bat1_angie_19.wav.pickle");
const AWKWARD = [0.1 + 0.2, 1e-7, 123.456789012345, 5e-324, 1e21, 123456789.00000001, 2 / 3, 1.5e-10];

function thrown(fn: () => unknown): SegmentFileError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SegmentFileError) return e;
    throw e;
  }
  throw new Error("did not throw");
}

describe("number formatting", () => {
  it.each(AWKWARD)("%s survives format → parse exactly, without exponent", (x) => {
    const s = formatNumber(x);
    expect(s).not.toMatch(/e/i);
    expect(parseDecimal(s)).toBe(x);
  });
  it("spells values the way a person expects", () => {
    expect(formatNumber(0.1 + 0.2)).toBe("0.30000000000000004");
    expect(formatNumber(1e-7)).toBe("0.0000001");
    expect(formatNumber(1e21)).toBe("1000000000000000000000");
    expect(formatNumber(-2.5e-8)).toBe("-0.000000025");
    expect(formatNumber(42)).toBe("42");
  });
  it("parses strictly", () => {
    expect(parseDecimal("0x10")).toBeNull();
    expect(parseDecimal("1.5abc")).toBeNull();
    expect(parseDecimal("Infinity")).toBeNull();
    expect(parseDecimal("")).toBeNull();
    expect(parseDecimal(" 1.5 ")).toBe(1.5);
    expect(parseDecimal("1,5")).toBeNull();
    expect(parseDecimal("1,5", true)).toBe(1.5);
    expect(parseDecimal("1.2E-3")).toBe(0.0012);
  });
});

describe("notes", () => {
  it("round-trips fields with awkward characters", () => {
    const fields = { Species: "E. fuscus", "Peak Freq (Hz)": "41343.8", odd: "a=b; c\\d" };
    const s = formatNotes(fields);
    expect(s).toBe("Species=E. fuscus; Peak Freq (Hz)=41343.8; odd=a\\=b\\; c\\\\d");
    expect(parseNotes(s)).toEqual(fields);
  });
  it("treats free text as free text", () => {
    expect(parseNotes("faint call, overlapping echo")).toBeNull();
    expect(parseNotes("a=1=2")).toBeNull();
    expect(parseNotes("")).toBeNull();
  });
});

describe("CSV", () => {
  it("reads onset,offset,label,low_freq,high_freq", () => {
    const r = parseSegmentsCsv(
      "onset,offset,label,low_freq,high_freq\n0.1,0.2,FM,20000,60000\n0.5,0.75,,,\n",
    );
    expect(r.format).toBe("csv");
    expect(r.segments).toEqual([
      { onset: 0.1, offset: 0.2, label: "FM", lowFreq: 20000, highFreq: 60000 },
      { onset: 0.5, offset: 0.75 },
    ]);
  });

  it("reads BattyCoda's own export back: duration is derived, not a note", () => {
    const r = parseSegmentsCsv(
      "onset,offset,duration,low_freq,high_freq,label,notes\n0.1,0.25,0.15,20000,60000,FM,faint\n1,1.5,0.5,,,,\n",
    );
    expect(r.segments).toEqual([
      { onset: 0.1, offset: 0.25, label: "FM", lowFreq: 20000, highFreq: 60000, notes: "faint" },
      { onset: 1, offset: 1.5 },
    ]);
  });

  it.each([
    ["start,end\n1,2\n", ","],
    ["Begin;End\n1;2\n", ";"],
    ["begin\tend\n1\t2\n", "\t"],
    ["Start Time (s),End Time (s)\n1,2\n", ","],
    ["\ufeffONSET , OFFSET\r\n1,2\r\n", ","],
  ])("tolerates header %j", (text) => {
    expect(parseSegmentsCsv(text).segments).toEqual([{ onset: 1, offset: 2 }]);
  });

  it("reads headerless files by column count and decimal commas with ';'", () => {
    expect(parseSegmentsCsv("0.1,0.2\n0.3,0.4").segments).toEqual([
      { onset: 0.1, offset: 0.2 },
      { onset: 0.3, offset: 0.4 },
    ]);
    expect(parseSegmentsCsv("0,1;0,2;CF;30000;31000\n").segments).toEqual([
      { onset: 0.1, offset: 0.2, label: "CF", lowFreq: 30000, highFreq: 31000 },
    ]);
  });

  it("converts kHz columns, keeps unknown columns as notes and quoted labels intact", () => {
    const r = parseSegmentsCsv(
      'onset,offset,label,low_freq_khz,high_freq_khz,species,comment\n1,2,"FM, steep",20,60.5,Ef,nice\n',
    );
    expect(r.segments).toEqual([
      {
        onset: 1,
        offset: 2,
        label: "FM, steep",
        lowFreq: 20000,
        highFreq: 60500,
        notes: "notes=nice; species=Ef",
      },
    ]);
  });

  it("refuses millisecond columns and missing time columns", () => {
    expect(() => parseSegmentsCsv("onset_ms,offset_ms\n1,2")).toThrow(
      'line 1: column "onset_ms" is in milliseconds',
    );
    expect(() => parseSegmentsCsv("foo,bar\n1,x")).toThrow(
      "line 1: no onset or offset column in the header (foo, bar)",
    );
  });

  it("reports every malformed row with its line number", () => {
    const text = [
      "# exported by hand", // 1
      "onset,offset,label", // 2
      "0.1,0.2,ok", // 3
      "", // 4
      "0.3,abc,x", // 5
      "0.4", // 6
      "1.5,1.2,late", // 7
      "2,2", // 8
      '3,4,"open', // 9
      "1e400,5", // 10
    ].join("\n");
    const err = thrown(() => parseSegmentsCsv(text));
    expect(err.issues.map((i) => `line ${i.line}: ${i.message}`)).toEqual([
      'line 5: offset "abc" is not a number',
      "line 6: expected onset and offset, found 1 column",
      "line 7: offset 1.2 is before onset 1.5",
      "line 8: offset 2 equals onset 2 (empty segment)",
      "line 9: unterminated quoted field",
      "line 10: onset 1e400 is not a finite number",
    ]);
    expect(err.message).toContain("line 7: offset 1.2 is before onset 1.5");
  });

  it("exports only the columns in use and reads its own output back exactly", () => {
    const segs = AWKWARD.map((x) => ({ onset: x, offset: x * 2 + 1 }));
    const csv = exportSegmentsCsv(segs);
    expect(csv.split("\n")[0]).toBe("onset,offset");
    expect(parseSegmentsCsv(csv).segments).toEqual(segs);

    const rich = [
      {
        onset: 0.1,
        offset: 0.2,
        label: 'say "hi", ok',
        lowFreq: 1000,
        highFreq: 2000,
        notes: "Species=Ef; Q=3",
      },
      { onset: 0.3, offset: 0.4, notes: "free; text" },
    ];
    const out = exportSegmentsCsv(rich, { delimiter: ";" });
    expect(out.split("\n")[0]).toBe("onset;offset;label;low_freq;high_freq;Species;Q;notes");
    const back = parseSegmentsCsv(out).segments;
    expect(back[0]).toEqual({ ...rich[0], notes: "Species=Ef; Q=3" });
    expect(back[1]).toEqual({ onset: 0.3, offset: 0.4, notes: "free; text" });
  });
});

const RAVEN = [
  "Selection\tView\tChannel\tBegin Time (s)\tEnd Time (s)\tLow Freq (Hz)\tHigh Freq (Hz)\tDelta Time (s)\tAnnotation\tSpecies",
  "1\tWaveform 1\t1\t0.346348000\t0.348148000\t0.000\t0.000\t0.0018\t\t",
  "1\tSpectrogram 1\t1\t0.346348000\t0.348148000\t20671.900\t62015.600\t0.0018\tFM\tEf",
  "2\tSpectrogram 1\t1\t0.30000000000000004\t0.4\t25000\t50000\t0.1\t\t",
  "2\tWaveform 1\t1\t0.30000000000000004\t0.4\t0\t0\t0.1\t\t",
  "3\tSpectrogram 1\t1\t0.0000001\t123.456789012345\t1000.5\t2000.25\t\tCF\t",
].join("\r\n");

describe("Raven selection tables", () => {
  it("keeps the spectrogram row per selection and turns extra columns into notes", () => {
    const r = parseRavenTable(RAVEN);
    expect(r.format).toBe("raven");
    expect(r.segments).toEqual([
      {
        onset: 0.346348,
        offset: 0.348148,
        lowFreq: 20671.9,
        highFreq: 62015.6,
        channel: 1,
        label: "FM",
        notes: "Delta Time (s)=0.0018; Species=Ef",
      },
      {
        onset: 0.1 + 0.2,
        offset: 0.4,
        lowFreq: 25000,
        highFreq: 50000,
        channel: 1,
        notes: "Delta Time (s)=0.1",
      },
      { onset: 1e-7, offset: 123.456789012345, lowFreq: 1000.5, highFreq: 2000.25, channel: 1, label: "CF" },
    ]);
    expect(r.warnings).toEqual(["kept one row per selection; 2 duplicate view rows dropped"]);
  });

  it("warns when duplicate view rows disagree", () => {
    const t =
      "Selection\tView\tChannel\tBegin Time (s)\tEnd Time (s)\n1\tWaveform 1\t1\t1\t2\n1\tSpectrogram 1\t1\t1\t2.5\n";
    const r = parseRavenTable(t);
    expect(r.segments).toEqual([{ onset: 1, offset: 2.5, channel: 1 }]);
    expect(r.warnings[0]).toBe("selection 1: line 2 (Waveform 1) has other times than line 3; kept line 3");
  });

  it("round-trips Raven → parse → export → parse with times exactly equal", () => {
    const first = parseRavenTable(RAVEN).segments;
    const exported = exportRavenTable(first);
    const second = parseRavenTable(exported).segments;
    expect(second).toEqual(first);
    for (let i = 0; i < first.length; i++) {
      expect(Object.is(second[i]?.onset, first[i]?.onset)).toBe(true);
      expect(Object.is(second[i]?.offset, first[i]?.offset)).toBe(true);
    }
    const lines = exported.split("\n");
    expect(lines[0]).toBe(
      "Selection\tView\tChannel\tBegin Time (s)\tEnd Time (s)\tLow Freq (Hz)\tHigh Freq (Hz)\tAnnotation\tDelta Time (s)\tSpecies",
    );
    expect(lines[3]).toBe("3\tSpectrogram 1\t1\t0.0000001\t123.456789012345\t1000.5\t2000.25\tCF\t\t");
    // and a second export is byte-identical to the first
    expect(exportRavenTable(second)).toBe(exported);
  });

  it("round-trips awkward times and fills a box from nyquistHz when asked", () => {
    const segs = AWKWARD.map((x) => ({ onset: x, offset: x * 2 + 1 }));
    const back = parseRavenTable(exportRavenTable(segs)).segments;
    expect(back.map((s) => [s.onset, s.offset])).toEqual(segs.map((s) => [s.onset, s.offset]));
    const boxed = parseRavenTable(
      exportRavenTable([{ onset: 1, offset: 2, notes: "free text" }], { nyquistHz: 96000 }),
    );
    expect(boxed.segments).toEqual([
      { onset: 1, offset: 2, lowFreq: 0, highFreq: 96000, channel: 1, notes: "free text" },
    ]);
  });

  it("reports malformed rows with line numbers", () => {
    const t =
      "Selection\tView\tChannel\tBegin Time (s)\tEnd Time (s)\tLow Freq (Hz)\tHigh Freq (Hz)\n1\tSpectrogram 1\t1\t1.5\t1.2\t0\t1\n2\tSpectrogram 1\t1\tx\t1\t0\t1\n3\tSpectrogram 1\t1\t1\t2\t500\t100\n";
    const err = thrown(() => parseRavenTable(t));
    expect(err.issues.map((i) => `line ${i.line}: ${i.message}`)).toEqual([
      "line 2: offset 1.2 is before onset 1.5",
      'line 3: Begin Time (s) "x" is not a number',
      "line 4: High Freq (Hz) 100 is below Low Freq (Hz) 500",
    ]);
  });
});

describe("parseSegmentFile", () => {
  it("dispatches by extension, case-insensitively", () => {
    const csv = Buffer.from("onset,offset\n1,2\n");
    expect(parseSegmentFile("a.csv", csv).format).toBe("csv");
    expect(parseSegmentFile("A.WAV.CSV", csv).format).toBe("csv");
    expect(parseSegmentFile("a.wav.txt", Buffer.from(RAVEN)).format).toBe("raven");
    expect(parseSegmentFile("a.txt", Buffer.from("start\tend\n1\t2\n")).format).toBe("csv");
    expect(() => parseSegmentFile("a.json", csv)).toThrow('a.json: unsupported segment file type ".json"');
  });

  it("reads the real pickle by name", () => {
    const r = parseSegmentFile("bat1_angie_19.wav.pickle", readFileSync(realPickle));
    expect(r.format).toBe("pickle");
    expect(r.segments).toHaveLength(42);
  });

  it("decodes Windows-1252 and UTF-16 text", () => {
    const latin = Buffer.from("onset,offset,label\n1,2,caf\xe9\n", "latin1");
    expect(parseSegmentFile("x.csv", latin).segments[0]?.label).toBe("café");
    const utf16 = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from("onset,offset,label\n1,2,µ\n", "utf16le"),
    ]);
    expect(parseSegmentFile("x.csv", utf16).segments[0]?.label).toBe("µ");
  });
});

describe("validateAgainstDuration", () => {
  it("reports, without dropping, segments that do not fit", () => {
    const segs = [
      { onset: 0.1, offset: 0.2 },
      { onset: -0.05, offset: 0.1 },
      { onset: 8.8, offset: 9.1 },
      { onset: 9.5, offset: 9.6 },
      { onset: 8.8, offset: 8.9 },
    ];
    const r = validateAgainstDuration(segs, 8.9);
    expect(r.ok).toBe(false);
    expect(r.outside.map((o) => [o.index, o.kind])).toEqual([
      [1, "starts-before-recording"],
      [2, "ends-after-recording"],
      [3, "entirely-outside"],
    ]);
    expect(r.outside[1]?.message).toBe("segment 3 (8.8–9.1 s) ends after the recording ends at 8.9 s");
    expect(segs).toHaveLength(5);
    expect(validateAgainstDuration(segs.slice(0, 1), 8.9)).toEqual({ ok: true, outside: [] });
    expect(() => validateAgainstDuration(segs, 0)).toThrow(RangeError);
  });
});
