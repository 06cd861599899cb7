/**
 * The only callables a segment pickle may name. Each is a tiny TS function that
 * rebuilds plain data; nothing from the pickle is ever looked up or executed.
 *
 * Beyond the obvious ndarray path, two entries are needed for real numpy output:
 * - `numpy.(_)core.numeric._frombuffer`: numpy's protocol-5 reduction of arrays;
 * - `builtins.bytes` (spelled `__builtin__.bytes` in protocols < 3) with no
 *   arguments: how Python pickles an empty `bytes` (e.g. an empty array's data).
 */
import { PickleError, UnsafePickleError } from "./errors.ts";
import { type DtypeKind, describePy, NdArray, NpDtype, PyGlobal, PyTuple, type PyValue } from "./values.ts";

type Callable = (args: readonly PyValue[]) => PyValue;

const reconstruct: Callable = (args) => {
  const [cls] = args;
  if (!(cls instanceof PyGlobal) || cls.qualifiedName !== "numpy.ndarray") {
    throw new UnsafePickleError(`_reconstruct may only build numpy.ndarray, got ${describePy(cls)}`);
  }
  return new NdArray();
};

const makeDtype: Callable = (args) => {
  const [spec] = args;
  if (typeof spec !== "string")
    throw new PickleError(`numpy.dtype expects a type code, got ${describePy(spec)}`);
  return parseDtype(spec);
};

const scalar: Callable = (args) => {
  const [dtype, raw] = args;
  if (!(dtype instanceof NpDtype) || !(raw instanceof Uint8Array)) {
    throw new PickleError("numpy scalar expects (dtype, bytes)");
  }
  if (raw.length !== dtype.itemSize)
    throw new PickleError(`numpy scalar of ${dtype.name} has ${raw.length} bytes`);
  const [value] = decodeBuffer(raw, dtype);
  return value ?? null;
};

const codecsEncode: Callable = (args) => {
  const [text, encoding] = args;
  if (typeof text !== "string" || (encoding !== "latin1" && encoding !== "latin-1")) {
    throw new UnsafePickleError(
      "_codecs.encode is only accepted as (str, 'latin1'), the way Python pickles bytes",
    );
  }
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0xff) throw new PickleError("_codecs.encode: character outside latin1");
    out[i] = c;
  }
  return out;
};

const emptyBytes: Callable = (args) => {
  if (args.length !== 0)
    throw new UnsafePickleError("builtins.bytes is only accepted with no arguments (empty bytes)");
  return new Uint8Array(0);
};

const fromBuffer: Callable = (args) => {
  const [buf, dtype, shape, order] = args;
  if (!(buf instanceof Uint8Array) || !(dtype instanceof NpDtype) || !(shape instanceof PyTuple)) {
    throw new PickleError("_frombuffer expects (buffer, dtype, shape, order)");
  }
  const arr = new NdArray();
  fillArray(arr, toShape(shape), dtype, order === "F", buf);
  return arr;
};

const notCallable: Callable = () => {
  throw new UnsafePickleError("numpy.ndarray may only appear as the class argument of _reconstruct");
};

export const ALLOWED_GLOBALS: ReadonlyMap<string, Callable> = new Map([
  ["numpy.core.multiarray._reconstruct", reconstruct],
  ["numpy._core.multiarray._reconstruct", reconstruct],
  ["numpy.ndarray", notCallable],
  ["numpy.dtype", makeDtype],
  ["numpy.core.multiarray.scalar", scalar],
  ["numpy._core.multiarray.scalar", scalar],
  ["numpy.core.numeric._frombuffer", fromBuffer],
  ["numpy._core.numeric._frombuffer", fromBuffer],
  ["_codecs.encode", codecsEncode],
  ["builtins.bytes", emptyBytes],
  ["__builtin__.bytes", emptyBytes],
]);

/** BUILD on a dtype (byte order) or on a `_reconstruct`ed array (shape, dtype, data). */
export function applyBuild(target: PyValue, state: PyValue): void {
  if (target instanceof NpDtype) {
    // state: (version, endian, subarray, names, fields, elsize, alignment, flags)
    if (!(state instanceof PyTuple) || state.items.length < 2) throw new PickleError("bad numpy dtype state");
    const [, endian, subarray, names] = state.items;
    if (subarray != null || names != null)
      throw new UnsafePickleError("structured/sub-array dtypes are not supported");
    if (endian === ">") target.littleEndian = false;
    else if (endian === "<" || endian === "|" || endian === "=") target.littleEndian = true;
    else throw new PickleError(`unknown dtype byte order ${JSON.stringify(endian)}`);
    return;
  }
  if (target instanceof NdArray) {
    if (target.built) throw new PickleError("numpy array state set twice");
    if (!(state instanceof PyTuple)) throw new PickleError("bad numpy array state");
    // numpy writes (version, shape, dtype, is_fortran, data); very old files omit the version
    const items = state.items.length === 5 ? state.items.slice(1) : state.items;
    const [shape, dtype, fortran, data] = items;
    if (items.length !== 4 || !(shape instanceof PyTuple) || !(dtype instanceof NpDtype)) {
      throw new PickleError("bad numpy array state");
    }
    if (!(data instanceof Uint8Array)) {
      throw new UnsafePickleError(
        `numpy array data must be raw bytes, got ${describePy(data)} (object arrays are refused)`,
      );
    }
    fillArray(target, toShape(shape), dtype, fortran === true, data);
    return;
  }
  throw new UnsafePickleError(
    `BUILD is only accepted on numpy arrays and dtypes, not on ${describePy(target)}`,
  );
}

function parseDtype(spec: string): NpDtype {
  const m = /^([<>|=]?)([fiub])(\d+)$/.exec(spec);
  const kind = m?.[2] as DtypeKind | undefined;
  const size = Number(m?.[3]);
  const ok =
    kind !== undefined &&
    ((kind === "f" && (size === 4 || size === 8)) ||
      ((kind === "i" || kind === "u") && [1, 2, 4, 8].includes(size)) ||
      (kind === "b" && size === 1));
  if (!ok || !kind)
    throw new UnsafePickleError(`unsupported numpy dtype '${spec}' (only bool, int, uint, float32/64)`);
  return new NpDtype(kind, size, m?.[1] !== ">");
}

function toShape(t: PyTuple): number[] {
  return t.items.map((d) => {
    if (typeof d !== "number" || !Number.isInteger(d) || d < 0)
      throw new PickleError("bad numpy array shape");
    return d;
  });
}

function fillArray(arr: NdArray, shape: number[], dtype: NpDtype, fortran: boolean, raw: Uint8Array): void {
  const count = shape.reduce((a, b) => a * b, 1);
  // Checking against the real byte length keeps a tiny pickle from declaring a huge array.
  if (count * dtype.itemSize !== raw.length) {
    throw new PickleError(
      `numpy array of shape (${shape.join(", ")}) and dtype ${dtype.name} needs ${count * dtype.itemSize} bytes, has ${raw.length}`,
    );
  }
  arr.shape = shape;
  arr.dtype = dtype;
  arr.fortranOrder = fortran;
  arr.data = decodeBuffer(raw, dtype);
  arr.built = true;
}

function decodeBuffer(raw: Uint8Array, dtype: NpDtype): number[] {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const le = dtype.littleEndian;
  const n = raw.length / dtype.itemSize;
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const o = i * dtype.itemSize;
    switch (`${dtype.typeKind}${dtype.itemSize}`) {
      case "f8":
        out[i] = view.getFloat64(o, le);
        break;
      case "f4":
        out[i] = view.getFloat32(o, le);
        break;
      case "i8":
        out[i] = bigToNumber(view.getBigInt64(o, le));
        break;
      case "u8":
        out[i] = bigToNumber(view.getBigUint64(o, le));
        break;
      case "i4":
        out[i] = view.getInt32(o, le);
        break;
      case "u4":
        out[i] = view.getUint32(o, le);
        break;
      case "i2":
        out[i] = view.getInt16(o, le);
        break;
      case "u2":
        out[i] = view.getUint16(o, le);
        break;
      case "i1":
        out[i] = view.getInt8(o);
        break;
      case "u1":
      case "b1":
        out[i] = view.getUint8(o);
        break;
    }
  }
  return out;
}

function bigToNumber(b: bigint): number {
  if (b > BigInt(Number.MAX_SAFE_INTEGER) || b < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new PickleError(`integer ${b} does not fit a double exactly`);
  }
  return Number(b);
}
