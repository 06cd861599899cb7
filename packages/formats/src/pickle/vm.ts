/**
 * A restricted pickle virtual machine. It interprets the opcode stream into plain
 * data (see values.ts) and has no way to run code: globals are only names checked
 * against ALLOWED_GLOBALS, and REDUCE/BUILD dispatch to the handful of TS
 * functions in numpy.ts. Opcodes that build arbitrary objects are refused.
 */
import { PickleError, UnsafePickleError } from "./errors.ts";
import { ALLOWED_GLOBALS, applyBuild } from "./numpy.ts";
import { describePy, PyDict, PyGlobal, PyList, type PyPrimitive, PyTuple, type PyValue } from "./values.ts";

const REFUSED_OPCODES: Record<number, string> = {
  80: "PERSID",
  81: "BINPERSID",
  105: "INST",
  111: "OBJ",
  129: "NEWOBJ",
  146: "NEWOBJ_EX",
  130: "EXT1",
  131: "EXT2",
  132: "EXT4",
  143: "EMPTY_SET",
  144: "ADDITEMS",
  145: "FROZENSET",
  151: "NEXT_BUFFER",
  152: "READONLY_BUFFER",
};

const utf8 = new TextDecoder("utf-8");
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export function unpickle(input: Uint8Array): PyValue {
  return new Machine(input).run();
}

class Machine {
  private pos = 0;
  private stack: PyValue[] = [];
  private readonly marks: PyValue[][] = [];
  private readonly memo = new Map<number, PyValue>();
  private readonly view: DataView;

  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  run(): PyValue {
    let opStart = 0;
    try {
      while (true) {
        opStart = this.pos;
        const op = this.u8();
        if (op === 0x2e /* . STOP */) {
          if (this.stack.length === 0) throw new PickleError("STOP with an empty stack");
          return this.stack[this.stack.length - 1] as PyValue;
        }
        this.step(op);
      }
    } catch (err) {
      if (err instanceof PickleError) {
        err.message = `${err.message} (at byte ${opStart})`;
        throw err;
      }
      throw err;
    }
  }

  private step(op: number): void {
    switch (op) {
      // framing and protocol
      case 0x80: {
        const proto = this.u8();
        if (proto > 5) throw new PickleError(`unsupported pickle protocol ${proto}`);
        return;
      }
      case 0x95: // FRAME: frames only help streaming readers; we have the whole buffer
        this.len64();
        return;
      // marks and stack
      case 0x28: // ( MARK
        this.marks.push(this.stack);
        this.stack = [];
        return;
      case 0x30: // 0 POP
        if (this.stack.length > 0) this.stack.pop();
        else this.popMark();
        return;
      case 0x31: // 1 POP_MARK
        this.popMark();
        return;
      case 0x32: // 2 DUP
        this.push(this.top());
        return;
      // scalars
      case 0x4e:
        this.push(null);
        return; // N
      case 0x88:
        this.push(true);
        return;
      case 0x89:
        this.push(false);
        return;
      case 0x49:
        this.push(parseTextInt(this.line()));
        return; // I
      case 0x4c:
        this.push(parseTextInt(this.line().replace(/L$/, "")));
        return; // L
      case 0x46:
        this.push(parseTextFloat(this.line()));
        return; // F
      case 0x4a:
        this.push(this.view.getInt32(this.take(4), true));
        return; // J BININT
      case 0x4b:
        this.push(this.u8());
        return; // K BININT1
      case 0x4d:
        this.push(this.view.getUint16(this.take(2), true));
        return; // M BININT2
      case 0x8a:
        this.push(decodeLong(this.bytes(this.u8())));
        return; // LONG1
      case 0x8b:
        this.push(decodeLong(this.bytes(this.lenI32())));
        return; // LONG4
      case 0x47:
        this.push(this.view.getFloat64(this.take(8), false));
        return; // G BINFLOAT
      // strings and bytes
      case 0x53:
        this.push(decodeQuotedString(this.line()));
        return; // S STRING
      case 0x54:
        this.push(latin1(this.bytes(this.lenI32())));
        return; // T BINSTRING
      case 0x55:
        this.push(latin1(this.bytes(this.u8())));
        return; // U SHORT_BINSTRING
      case 0x56:
        this.push(decodeRawUnicodeEscape(this.line()));
        return; // V UNICODE
      case 0x58:
        this.push(utf8.decode(this.bytes(this.lenU32())));
        return; // X BINUNICODE
      case 0x8c:
        this.push(utf8.decode(this.bytes(this.u8())));
        return; // SHORT_BINUNICODE
      case 0x8d:
        this.push(utf8.decode(this.bytes(this.len64())));
        return; // BINUNICODE8
      case 0x42:
        this.push(this.bytes(this.lenU32()));
        return; // B BINBYTES
      case 0x43:
        this.push(this.bytes(this.u8()));
        return; // C SHORT_BINBYTES
      case 0x8e:
        this.push(this.bytes(this.len64()));
        return; // BINBYTES8
      case 0x96:
        this.push(this.bytes(this.len64()));
        return; // BYTEARRAY8 (in-band buffer, protocol 5)
      // containers
      case 0x5d:
        this.push(new PyList());
        return; // ]
      case 0x6c:
        this.push(new PyList(this.popMark()));
        return; // l LIST
      case 0x61: {
        // a APPEND
        const item = this.pop();
        this.listAt(this.stack.length - 1).items.push(item);
        return;
      }
      case 0x65: {
        // e APPENDS
        const items = this.popMark();
        this.listAt(this.stack.length - 1).items.push(...items);
        return;
      }
      case 0x29:
        this.push(new PyTuple([]));
        return; // )
      case 0x74:
        this.push(new PyTuple(this.popMark()));
        return; // t TUPLE
      case 0x85:
        this.push(new PyTuple([this.pop()]));
        return;
      case 0x86: {
        const b = this.pop();
        const a = this.pop();
        this.push(new PyTuple([a, b]));
        return;
      }
      case 0x87: {
        const c = this.pop();
        const b = this.pop();
        const a = this.pop();
        this.push(new PyTuple([a, b, c]));
        return;
      }
      case 0x7d:
        this.push(new PyDict());
        return; // }
      case 0x64: {
        // d DICT
        const d = new PyDict();
        setItems(d, this.popMark());
        this.push(d);
        return;
      }
      case 0x73: {
        // s SETITEM
        const v = this.pop();
        const k = this.pop();
        setItems(this.dictAt(this.stack.length - 1), [k, v]);
        return;
      }
      case 0x75: {
        // u SETITEMS
        const items = this.popMark();
        setItems(this.dictAt(this.stack.length - 1), items);
        return;
      }
      // memo
      case 0x70:
        this.memo.set(parseIndex(this.line()), this.top());
        return; // p PUT
      case 0x71:
        this.memo.set(this.u8(), this.top());
        return; // q BINPUT
      case 0x72:
        this.memo.set(this.view.getUint32(this.take(4), true), this.top());
        return; // r LONG_BINPUT
      case 0x94:
        this.memo.set(this.memo.size, this.top());
        return; // MEMOIZE
      case 0x67:
        this.push(this.memoGet(parseIndex(this.line())));
        return; // g GET
      case 0x68:
        this.push(this.memoGet(this.u8()));
        return; // h BINGET
      case 0x6a:
        this.push(this.memoGet(this.view.getUint32(this.take(4), true)));
        return; // j LONG_BINGET
      // the restricted object protocol
      case 0x63: {
        // c GLOBAL
        const module = this.line();
        const name = this.line();
        this.push(resolveGlobal(module, name));
        return;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = this.pop();
        const module = this.pop();
        if (typeof module !== "string" || typeof name !== "string")
          throw new PickleError("STACK_GLOBAL needs two strings");
        this.push(resolveGlobal(module, name));
        return;
      }
      case 0x52: {
        // R REDUCE
        const args = this.pop();
        const fn = this.pop();
        if (!(fn instanceof PyGlobal)) throw new UnsafePickleError(`REDUCE on ${describePy(fn)}`);
        if (!(args instanceof PyTuple)) throw new PickleError("REDUCE arguments must be a tuple");
        const impl = ALLOWED_GLOBALS.get(fn.qualifiedName);
        if (!impl) throw new UnsafePickleError(`refused global '${fn.qualifiedName}'`);
        this.push(impl(args.items));
        return;
      }
      case 0x62: {
        // b BUILD
        const state = this.pop();
        applyBuild(this.top(), state);
        return;
      }
    }
    const refused = REFUSED_OPCODES[op];
    if (refused) throw new UnsafePickleError(`refused opcode ${refused} (0x${op.toString(16)})`);
    throw new UnsafePickleError(`unknown or unsupported opcode 0x${op.toString(16).padStart(2, "0")}`);
  }

  // Ops like TUPLE swap this.stack inside popMark(); `this.stack.push(f())` would bind the old array first.
  private push(v: PyValue): void {
    this.stack.push(v);
  }
  private pop(): PyValue {
    if (this.stack.length === 0) throw new PickleError("stack underflow");
    return this.stack.pop() as PyValue;
  }
  private top(): PyValue {
    if (this.stack.length === 0) throw new PickleError("stack underflow");
    return this.stack[this.stack.length - 1] as PyValue;
  }
  private popMark(): PyValue[] {
    const items = this.stack;
    const prev = this.marks.pop();
    if (!prev) throw new PickleError("no MARK on the stack");
    this.stack = prev;
    return items;
  }
  private listAt(i: number): PyList {
    const v = this.stack[i];
    if (!(v instanceof PyList)) throw new UnsafePickleError(`APPEND on ${describePy(v)}`);
    return v;
  }
  private dictAt(i: number): PyDict {
    const v = this.stack[i];
    if (!(v instanceof PyDict)) throw new UnsafePickleError(`SETITEM on ${describePy(v)}`);
    return v;
  }
  private memoGet(i: number): PyValue {
    if (!this.memo.has(i)) throw new PickleError(`memo entry ${i} missing`);
    return this.memo.get(i) as PyValue;
  }

  private take(n: number): number {
    if (this.pos + n > this.buf.length) throw new PickleError("truncated pickle");
    const at = this.pos;
    this.pos += n;
    return at;
  }
  private u8(): number {
    return this.buf[this.take(1)] as number;
  }
  private bytes(n: number): Uint8Array {
    const at = this.take(n);
    return this.buf.slice(at, at + n);
  }
  private lenU32(): number {
    return this.view.getUint32(this.take(4), true);
  }
  private lenI32(): number {
    const n = this.view.getInt32(this.take(4), true);
    if (n < 0) throw new PickleError("negative length");
    return n;
  }
  private len64(): number {
    const n = this.view.getBigUint64(this.take(8), true);
    // Anything longer than what is left is a lie; refusing here avoids a huge allocation.
    if (n > BigInt(this.buf.length - this.pos)) throw new PickleError("truncated pickle");
    return Number(n);
  }
  private line(): string {
    const end = this.buf.indexOf(0x0a, this.pos);
    if (end < 0) throw new PickleError("truncated pickle (missing newline)");
    const text = latin1(this.buf.subarray(this.pos, end));
    this.pos = end + 1;
    return text;
  }
}

function resolveGlobal(module: string, name: string): PyGlobal {
  const qn = `${module}.${name}`;
  if (!ALLOWED_GLOBALS.has(qn)) {
    throw new UnsafePickleError(
      `refused global '${qn}': only numpy array reconstruction is allowed in segment files`,
    );
  }
  return new PyGlobal(qn);
}

function setItems(d: PyDict, items: PyValue[]): void {
  if (items.length % 2 !== 0) throw new PickleError("odd number of dict items");
  for (let i = 0; i < items.length; i += 2) {
    const k = items[i] as PyValue;
    if (k !== null && typeof k === "object") throw new PickleError(`unsupported dict key: ${describePy(k)}`);
    d.map.set(k as PyPrimitive, items[i + 1] as PyValue);
  }
}

function latin1(b: Uint8Array): string {
  let out = "";
  for (let i = 0; i < b.length; i += 8192) out += String.fromCharCode(...b.subarray(i, i + 8192));
  return out;
}

function normalizeInt(b: bigint): number | bigint {
  return b <= MAX_SAFE && b >= -MAX_SAFE ? Number(b) : b;
}

function parseTextInt(text: string): number | bigint | boolean {
  // Protocol 0 spells booleans as INT 00 / 01.
  if (text === "00") return false;
  if (text === "01") return true;
  if (!/^[+-]?\d+$/.test(text)) throw new PickleError(`bad integer literal ${JSON.stringify(text)}`);
  return normalizeInt(BigInt(text));
}

function parseTextFloat(text: string): number {
  const t = text.trim();
  if (t === "inf") return Number.POSITIVE_INFINITY;
  if (t === "-inf") return Number.NEGATIVE_INFINITY;
  if (t === "nan") return Number.NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t))
    throw new PickleError(`bad float literal ${JSON.stringify(t)}`);
  return Number(t);
}

function parseIndex(text: string): number {
  if (!/^\d+$/.test(text)) throw new PickleError(`bad memo index ${JSON.stringify(text)}`);
  return Number(text);
}

function decodeLong(b: Uint8Array): number | bigint {
  if (b.length === 0) return 0;
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i] as number);
  if ((b[b.length - 1] as number) & 0x80) v -= 1n << BigInt(8 * b.length);
  return normalizeInt(v);
}

/** Python 2 `repr(str)` as written by protocol 0's STRING opcode. */
function decodeQuotedString(text: string): string {
  const q = text[0];
  if ((q !== "'" && q !== '"') || text.length < 2 || text[text.length - 1] !== q) {
    throw new PickleError("STRING literal is not quoted");
  }
  const body = text.slice(1, -1);
  const simple: Record<string, string> = {
    n: "\n",
    r: "\r",
    t: "\t",
    "\\": "\\",
    "'": "'",
    '"': '"',
    a: "\x07",
    b: "\b",
    f: "\f",
    v: "\v",
  };
  return body.replace(/\\(x[0-9a-fA-F]{2}|[0-7]{1,3}|.)/g, (_, e: string) => {
    if (e[0] === "x") return String.fromCharCode(Number.parseInt(e.slice(1), 16));
    if (/^[0-7]/.test(e)) return String.fromCharCode(Number.parseInt(e, 8) & 0xff);
    return simple[e] ?? `\\${e}`;
  });
}

/** Protocol 0's UNICODE opcode: latin-1 bytes with \uXXXX / \UXXXXXXXX escapes. */
function decodeRawUnicodeEscape(text: string): string {
  return text.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_, u4?: string, u8?: string) =>
    String.fromCodePoint(Number.parseInt((u4 ?? u8) as string, 16)),
  );
}
