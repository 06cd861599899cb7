import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  NdArray,
  PickleError,
  PyDict,
  PyList,
  parseSegmentPickle,
  SegmentFileError,
  UnsafePickleError,
  unpickle,
} from "../src/index.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = path.join(here, "fixtures/pickles");
const repoRoot = path.resolve(here, "../../..");
const realPickle = path.resolve(repoRoot, "../shared/data/recordings/bat1_angie_19.wav.pickle");
const fixture = (name: string) => readFileSync(path.join(fixtures, name));
const expected: Record<string, { onsets: number[]; offsets: number[]; threshold?: number }> = JSON.parse(
  readFileSync(path.join(fixtures, "expected.json"), "utf8"),
);

describe("the original's bat1_angie_19.wav.pickle", () => {
  it("reads 42 segments with the times Python prints", () => {
    const r = parseSegmentPickle(readFileSync(realPickle));
    expect(r.format).toBe("pickle");
    expect(r.segments).toHaveLength(42);
    expect(r.threshold).toBe(5);
    expect(r.warnings).toEqual([]);
    // values from: python3 -c "import pickle; d=pickle.load(open(...,'rb')); print(repr(float(d['onsets'][i])))"
    expect(r.segments[0]).toEqual({ onset: 0.346348, offset: 0.348148 });
    expect(r.segments[1]).toEqual({ onset: 0.495796, offset: 0.500516 });
    expect(r.segments[20]).toEqual({ onset: 2.191472, offset: 2.19482 });
    expect(r.segments[41]).toEqual({ onset: 2.7773, offset: 2.779576 });
    for (const s of r.segments) expect(s.offset).toBeGreaterThan(s.onset);
  });

  it("exposes the raw structure through unpickle()", () => {
    const root = unpickle(readFileSync(realPickle));
    expect(root).toBeInstanceOf(PyDict);
    const d = root as PyDict;
    expect([...d.map.keys()]).toEqual(["threshold", "onsets", "offsets", "labels", "startFrq", "endFrq"]);
    const onsets = d.map.get("onsets") as NdArray;
    expect(onsets).toBeInstanceOf(NdArray);
    expect(onsets.shape).toEqual([42]);
    expect(onsets.dtype?.name).toBe("f8");
    expect(d.map.get("labels")).toEqual(new PyList([]));
  });
});

describe("generated pickles (every protocol, dict and list/tuple shapes)", () => {
  const names = Object.keys(expected);
  it("covers protocols 0, 2, 4 and 5", () => {
    for (const p of [0, 2, 4, 5]) expect(names.some((n) => n.endsWith(`_p${p}.pickle`))).toBe(true);
    expect(names.length).toBeGreaterThanOrEqual(13);
  });

  it.each(names)("%s gives exactly the values Python reads", (name) => {
    const want = expected[name];
    if (!want) throw new Error("missing expectation");
    const r = parseSegmentPickle(fixture(name));
    expect(r.segments.map((s) => s.onset)).toEqual(want.onsets);
    expect(r.segments.map((s) => s.offset)).toEqual(want.offsets);
    expect(r.threshold).toBe(want.threshold);
  });

  it("keeps awkward doubles bit-exact (0.1+0.2, 1e-7, 123.456789012345)", () => {
    const r = parseSegmentPickle(fixture("dict_numpy_p5.pickle"));
    expect(r.segments[0]?.onset).toBe(0.1 + 0.2);
    expect(r.segments[1]?.onset).toBe(1e-7);
    expect(r.segments[3]?.onset).toBe(123.456789012345);
  });

  it("reads labels, numpy scalar threshold and start/end frequencies", () => {
    const r = parseSegmentPickle(fixture("dict_full_p4.pickle"));
    expect(r.threshold).toBe(3.5);
    expect(r.segments).toEqual([
      { onset: 0.1, offset: 0.2, label: "FM", lowFreq: 25000, highFreq: 60000 },
      { onset: 0.5, offset: 0.6, label: "CF", lowFreq: 30000, highFreq: 31000 },
    ]);
  });

  it("honours big-endian dtypes", () => {
    const root = unpickle(fixture("dict_bigendian_p4.pickle")) as PyDict;
    const arr = root.map.get("onsets") as NdArray;
    expect(arr.dtype?.littleEndian).toBe(false);
    expect(arr.data[3]).toBe(123.456789012345);
  });
});

describe("refusals", () => {
  const evil: [string, string][] = [
    ["evil_os_system_p4.pickle", "refused global 'posix.system'"],
    ["evil_global_os_system_p0.pickle", "refused global 'os.system'"],
    ["evil_eval_p2.pickle", "refused global '__builtin__.eval'"],
    ["evil_subprocess_p0.pickle", "refused global 'commands.Popen'"],
    ["evil_subprocess_p4.pickle", "refused global 'subprocess.check_output'"],
    ["evil_nested_p4.pickle", "refused global 'posix.system'"],
    ["evil_inst_p0.pickle", "refused opcode INST"],
    ["evil_obj_p1.pickle", "refused opcode OBJ"],
    ["evil_persid_p0.pickle", "refused opcode PERSID"],
    ["evil_reduce_ndarray_p2.pickle", "numpy.ndarray may only appear as the class argument"],
    ["bad_set_p4.pickle", "refused opcode EMPTY_SET"],
    ["bad_object_array_p4.pickle", "unsupported numpy dtype 'O8'"],
  ];
  it.each(evil)("%s → UnsafePickleError naming the culprit", (name, message) => {
    const run = () => parseSegmentPickle(fixture(name));
    expect(run).toThrow(UnsafePickleError);
    expect(run).toThrow(message);
  });

  it("has a fixture for every evil file on disk", () => {
    const onDisk = readdirSync(fixtures).filter((f) => f.startsWith("evil_"));
    expect(onDisk.sort()).toEqual(
      evil
        .map(([n]) => n)
        .filter((n) => n.startsWith("evil_"))
        .sort(),
    );
  });

  it("refuses builtins.getattr and unknown opcodes", () => {
    expect(() => unpickle(Buffer.from("cbuiltins\ngetattr\n."))).toThrow("refused global 'builtins.getattr'");
    expect(() => unpickle(Uint8Array.of(0x80, 0x04, 0xff))).toThrow("unknown or unsupported opcode 0xff");
    expect(() => unpickle(Uint8Array.of(0x80, 0x09, 0x4e, 0x2e))).toThrow("unsupported pickle protocol 9");
  });

  it("refuses _codecs.encode with another codec and bytes() with arguments", () => {
    expect(() => unpickle(Buffer.from("c_codecs\nencode\n(Vx\nVutf-16\ntR."))).toThrow(UnsafePickleError);
    expect(() => unpickle(Buffer.from("c__builtin__\nbytes\n(I3\ntR."))).toThrow(UnsafePickleError);
  });

  it("refuses a length that runs past the end instead of allocating it", () => {
    // BINBYTES8 claiming 2^40 bytes
    const b = Uint8Array.of(0x80, 0x04, 0x8e, 0, 0, 0, 0, 0, 1, 0, 0, 0x2e);
    expect(() => unpickle(b)).toThrow("truncated pickle");
    expect(() => parseSegmentPickle(fixture("bad_truncated_p4.pickle"))).toThrow(PickleError);
  });

  const shapes: [string, string][] = [
    ["bad_three_elements_p4.pickle", "got a list of 3 elements"],
    ["bad_dict_keys_p4.pickle", 'got a dict with keys "starts", "ends"'],
    ["bad_string_p4.pickle", "got a str"],
    ["bad_lengths_p4.pickle", "onsets has 2 values but offsets has 1"],
    ["bad_order_p2.pickle", "segment 1: offset 1.2 is before onset 1.5"],
    ["bad_nan_p4.pickle", "segment 1: onset NaN is not a finite number"],
    ["bad_2d_p4.pickle", "expected a 1-D array, got shape (2, 2)"],
  ];
  it.each(shapes)("%s → SegmentFileError: %s", (name, message) => {
    const run = () => parseSegmentPickle(fixture(name));
    expect(run).toThrow(SegmentFileError);
    expect(run).toThrow(message);
  });

  it("names the expected shapes in the error", () => {
    expect(() => parseSegmentPickle(fixture("bad_string_p4.pickle"))).toThrow(
      "expected a dict with 'onsets' and 'offsets' or a 2-element [onsets, offsets]; got a str",
    );
  });

  it("warns about, but tolerates, unknown keys and mismatched optional columns", () => {
    // protocol 0 dict: onsets [0.1], offsets [0.2], labels ['a','b'], extra 'x'
    const p = "(dp0\nVonsets\n(lF0.1\nasVoffsets\n(lF0.2\nasVlabels\n(lVa\naVb\nasVx\nI1\ns.";
    const r = parseSegmentPickle(Buffer.from(p, "latin1"));
    expect(r.segments).toEqual([{ onset: 0.1, offset: 0.2 }]);
    expect(r.warnings).toEqual(['ignored key "x"', "ignored labels: 2 values for 1 segments"]);
  });
});
