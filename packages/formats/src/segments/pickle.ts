/**
 * The original BattyCoda segment pickle: either
 *   {"onsets": arr, "offsets": arr, "threshold"?: x, "labels"?: [...], "startFrq"?: [...], "endFrq"?: [...]}
 * or a 2-element list/tuple [onsets, offsets].
 * Pickle errors (PickleError / UnsafePickleError) propagate unchanged so callers can
 * tell "malicious" from "wrong shape" (SegmentFileError).
 */

import { describePy, NdArray, PyDict, PyList, PyTuple, type PyValue } from "../pickle/values.ts";
import { unpickle } from "../pickle/vm.ts";
import {
  checkTimes,
  type ParsedSegments,
  type Segment,
  SegmentFileError,
  type SegmentIssue,
} from "./types.ts";

const SHAPE_HINT = "expected a dict with 'onsets' and 'offsets' or a 2-element [onsets, offsets]";
const KNOWN_KEYS = new Set(["onsets", "offsets", "threshold", "labels", "startFrq", "endFrq"]);

export function parseSegmentPickle(buf: Uint8Array): ParsedSegments {
  const root = unpickle(buf);
  const warnings: string[] = [];
  let onsetsV: PyValue | undefined;
  let offsetsV: PyValue | undefined;
  let labelsV: PyValue | undefined;
  let startV: PyValue | undefined;
  let endV: PyValue | undefined;
  let threshold: number | undefined;

  if (root instanceof PyDict && root.map.has("onsets") && root.map.has("offsets")) {
    onsetsV = root.map.get("onsets");
    offsetsV = root.map.get("offsets");
    labelsV = root.map.get("labels");
    startV = root.map.get("startFrq");
    endV = root.map.get("endFrq");
    const t = root.map.get("threshold");
    if (typeof t === "number" && Number.isFinite(t)) threshold = t;
    else if (t !== undefined && t !== null) warnings.push(`ignored threshold: ${describePy(t)}`);
    for (const k of root.map.keys()) {
      if (typeof k !== "string" || !KNOWN_KEYS.has(k)) warnings.push(`ignored key ${JSON.stringify(k)}`);
    }
  } else if ((root instanceof PyList || root instanceof PyTuple) && root.items.length === 2) {
    [onsetsV, offsetsV] = root.items;
  } else {
    throw new SegmentFileError([{ message: `${SHAPE_HINT}; got ${describePy(root)}` }]);
  }

  const onsets = numbers(onsetsV, "onsets");
  const offsets = numbers(offsetsV, "offsets");
  if (onsets.length !== offsets.length) {
    throw new SegmentFileError([
      { message: `onsets has ${onsets.length} values but offsets has ${offsets.length}` },
    ]);
  }
  const n = onsets.length;
  const labels = optionalColumn(labelsV, "labels", n, warnings, labelsOf);
  const starts = optionalColumn(startV, "startFrq", n, warnings, (v) => numbers(v, "startFrq"));
  const ends = optionalColumn(endV, "endFrq", n, warnings, (v) => numbers(v, "endFrq"));

  const issues: SegmentIssue[] = [];
  const segments: Segment[] = [];
  for (let i = 0; i < n; i++) {
    const onset = onsets[i] as number;
    const offset = offsets[i] as number;
    const problem = checkTimes(onset, offset);
    if (problem) {
      issues.push({ index: i, message: problem });
      continue;
    }
    const seg: Segment = { onset, offset };
    const label = labels?.[i];
    if (label !== undefined) seg.label = label;
    const a = starts?.[i];
    const b = ends?.[i];
    // startFrq/endFrq are the call's first and last frequency; a downward sweep starts high.
    if (a !== undefined && b !== undefined && Number.isFinite(a) && Number.isFinite(b)) {
      seg.lowFreq = Math.min(a, b);
      seg.highFreq = Math.max(a, b);
    }
    segments.push(seg);
  }
  if (issues.length > 0) throw new SegmentFileError(issues);
  return threshold === undefined
    ? { format: "pickle", segments, warnings }
    : { format: "pickle", segments, warnings, threshold };
}

function numbers(v: PyValue | undefined, what: string): number[] {
  if (v instanceof NdArray) {
    if (v.shape.length !== 1) {
      throw new SegmentFileError([
        { message: `${what}: expected a 1-D array, got shape (${v.shape.join(", ")})` },
      ]);
    }
    return v.data;
  }
  if (v instanceof PyList || v instanceof PyTuple) {
    return v.items.map((x, i) => {
      if (typeof x === "number") return x;
      throw new SegmentFileError([{ index: i, message: `${what}: expected a number, got ${describePy(x)}` }]);
    });
  }
  throw new SegmentFileError([
    { message: `${what}: expected a list or 1-D numpy array of numbers, got ${describePy(v)}` },
  ]);
}

function labelsOf(v: PyValue): (string | undefined)[] {
  const items = v instanceof PyList || v instanceof PyTuple ? v.items : v instanceof NdArray ? v.data : null;
  if (!items) throw new SegmentFileError([{ message: `labels: expected a list, got ${describePy(v)}` }]);
  return items.map((x) => {
    if (x === null) return undefined;
    if (typeof x === "string") return x;
    if (typeof x === "number") return String(x);
    throw new SegmentFileError([{ message: `labels: expected strings, got ${describePy(x)}` }]);
  });
}

/** The original wrote these as empty lists when unused; a length mismatch is reported, not fatal. */
function optionalColumn<T>(
  v: PyValue | undefined,
  what: string,
  n: number,
  warnings: string[],
  convert: (v: PyValue) => T[],
): T[] | undefined {
  if (v === undefined || v === null) return undefined;
  const values = convert(v);
  if (values.length === 0) return undefined;
  if (values.length !== n) {
    warnings.push(`ignored ${what}: ${values.length} values for ${n} segments`);
    return undefined;
  }
  return values;
}
