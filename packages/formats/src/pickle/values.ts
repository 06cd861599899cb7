/**
 * The Python values the safe pickle interpreter can produce. Anything a pickle
 * could otherwise construct (arbitrary objects, sets, callables) is refused
 * before it gets here, so consumers only ever see these shapes.
 */

export type PyPrimitive = null | boolean | number | bigint | string;

export type PyValue = PyPrimitive | Uint8Array | PyList | PyTuple | PyDict | NdArray | NpDtype | PyGlobal;

export class PyList {
  readonly kind = "list" as const;
  constructor(readonly items: PyValue[] = []) {}
}

export class PyTuple {
  readonly kind = "tuple" as const;
  constructor(readonly items: readonly PyValue[]) {}
}

/** Keys are restricted to primitives: tuple/bytes keys never occur in segment files. */
export class PyDict {
  readonly kind = "dict" as const;
  readonly map = new Map<PyPrimitive, PyValue>();
}

export type DtypeKind = "f" | "i" | "u" | "b";

export class NpDtype {
  readonly kind = "dtype" as const;
  constructor(
    readonly typeKind: DtypeKind,
    readonly itemSize: number,
    /** set by BUILD; numpy pickles the byte order in the dtype's state, not its name */
    public littleEndian = true,
  ) {}
  get name(): string {
    return `${this.typeKind}${this.itemSize}`;
  }
}

export class NdArray {
  readonly kind = "ndarray" as const;
  shape: number[] = [0];
  dtype: NpDtype | null = null;
  fortranOrder = false;
  /** Flat values in the array's stored order. */
  data: number[] = [];
  /** Still an empty shell from `_reconstruct` until BUILD fills it. */
  built = false;
}

/** A reference to an allow-listed callable; never resolved to real code. */
export class PyGlobal {
  readonly kind = "global" as const;
  constructor(readonly qualifiedName: string) {}
}

export function describePy(v: PyValue | undefined): string {
  if (v === undefined) return "nothing";
  if (v === null) return "None";
  if (typeof v === "boolean") return "a bool";
  if (typeof v === "number" || typeof v === "bigint") return "a number";
  if (typeof v === "string") return "a str";
  if (v instanceof Uint8Array) return "bytes";
  switch (v.kind) {
    case "list":
      return `a list of ${v.items.length} element${v.items.length === 1 ? "" : "s"}`;
    case "tuple":
      return `a tuple of ${v.items.length} element${v.items.length === 1 ? "" : "s"}`;
    case "dict": {
      const keys = [...v.map.keys()].slice(0, 8).map((k) => JSON.stringify(k));
      return v.map.size === 0
        ? "an empty dict"
        : `a dict with keys ${keys.join(", ")}${v.map.size > 8 ? ", …" : ""}`;
    }
    case "ndarray":
      return `a numpy array of shape (${v.shape.join(", ")})`;
    case "dtype":
      return "a numpy dtype";
    case "global":
      return `the callable ${v.qualifiedName}`;
  }
}
