/**
 * Byte-level encoders for the small subset of the HDF5 file format (spec v1.1 structures: superblock
 * v0, v1 object headers, v1 B-trees, local heap, symbol table nodes) needed to write chunked,
 * filtered 2-D datasets with scalar attributes. Every reader of HDF5 ≥ 1.6 (h5py, h5wasm, MATLAB,
 * the C library) reads these structures.
 */

export const UNDEF = 0xffffffffffffffffn;
/** HDF5 library constant for "no free block" in a local heap (not the undefined address). */
export const HEAP_FREE_NULL = 1n;

export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  length = 0;

  constructor(capacity = 256) {
    this.buf = new Uint8Array(capacity);
    this.view = new DataView(this.buf.buffer);
  }

  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u8(v: number): this {
    this.ensure(1);
    this.view.setUint8(this.length++, v);
    return this;
  }
  u16(v: number): this {
    this.ensure(2);
    this.view.setUint16(this.length, v, true);
    this.length += 2;
    return this;
  }
  u32(v: number): this {
    this.ensure(4);
    this.view.setUint32(this.length, v, true);
    this.length += 4;
    return this;
  }
  u64(v: number | bigint): this {
    this.ensure(8);
    this.view.setBigUint64(this.length, BigInt(v), true);
    this.length += 8;
    return this;
  }
  f64(v: number): this {
    this.ensure(8);
    this.view.setFloat64(this.length, v, true);
    this.length += 8;
    return this;
  }
  i32(v: number): this {
    this.ensure(4);
    this.view.setInt32(this.length, v, true);
    this.length += 4;
    return this;
  }
  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }
  ascii(s: string): this {
    return this.bytes(new TextEncoder().encode(s));
  }
  zeros(n: number): this {
    this.ensure(n);
    this.buf.fill(0, this.length, this.length + n);
    this.length += n;
    return this;
  }
  /** Zero-pads to a multiple of `n` bytes. */
  align(n: number): this {
    const r = this.length % n;
    return r ? this.zeros(n - r) : this;
  }
  done(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

const pad8 = (n: number) => (n + 7) & ~7;

// ---- datatypes (message type 0x0003) ----
export type ScalarType = "f32" | "f64" | "i32" | "u16" | { string: number };

export function datatype(t: ScalarType): Uint8Array {
  const w = new ByteWriter(32);
  if (t === "f32" || t === "f64") {
    const single = t === "f32";
    // class 1 (float), version 1; little-endian, implied MSB mantissa normalisation; sign bit position.
    w.u8(0x11)
      .u8(0x20)
      .u8(single ? 31 : 63)
      .u8(0)
      .u32(single ? 4 : 8);
    w.u16(0).u16(single ? 32 : 64); // bit offset, precision
    w.u8(single ? 23 : 52).u8(single ? 8 : 11); // exponent location, size
    w.u8(0).u8(single ? 23 : 52); // mantissa location, size
    w.u32(single ? 127 : 1023);
  } else if (t === "u16") {
    // class 0 (fixed point), little-endian, unsigned; 16-bit precision at bit offset 0.
    w.u8(0x10).u8(0x00).u8(0).u8(0).u32(2).u16(0).u16(16);
  } else if (t === "i32") {
    // 32-bit rather than 64-bit integers: JS readers (h5wasm) return int64 as BigInt.
    w.u8(0x10).u8(0x08).u8(0).u8(0).u32(4).u16(0).u16(32); // class 0 (fixed point), signed
  } else {
    w.u8(0x13).u8(0x00).u8(0).u8(0).u32(t.string); // class 3 (string), null-terminated ASCII
  }
  return w.done();
}

export function typeSize(t: ScalarType): number {
  return t === "f32" || t === "i32" ? 4 : t === "f64" ? 8 : t === "u16" ? 2 : t.string;
}

// ---- dataspace (0x0001), version 1; rank 0 means scalar ----
export function dataspace(dims: number[], maxDims?: number[]): Uint8Array {
  const w = new ByteWriter(64);
  w.u8(1)
    .u8(dims.length)
    .u8(maxDims ? 1 : 0)
    .u8(0)
    .u32(0);
  for (const d of dims) w.u64(d);
  if (maxDims) for (const d of maxDims) w.u64(d);
  return w.done();
}

export interface Message {
  type: number;
  body: Uint8Array;
  flags?: number;
}

/** Object header, version 1: 16-byte prefix then 8-byte aligned messages. */
export function objectHeader(messages: Message[]): Uint8Array {
  const body = new ByteWriter(512);
  for (const m of messages) {
    const size = pad8(m.body.length);
    body
      .u16(m.type)
      .u16(size)
      .u8(m.flags ?? 0)
      .zeros(3)
      .bytes(m.body)
      .zeros(size - m.body.length);
  }
  const msgs = body.done();
  const w = new ByteWriter(16 + msgs.length);
  w.u8(1).u8(0).u16(messages.length).u32(1).u32(msgs.length).zeros(4).bytes(msgs);
  return w.done();
}

export type AttrValue = number | string | { int: number } | { float: number };

/** Attribute message (0x000C), version 1. Integral numbers below 2^31 are int32, other numbers float64. */
export function attributeMessage(name: string, value: AttrValue): Message {
  let type: ScalarType;
  const data = new ByteWriter(16);
  if (typeof value === "string") {
    const bytes = new TextEncoder().encode(value);
    type = { string: bytes.length + 1 };
    data.bytes(bytes).u8(0);
  } else if (
    typeof value === "number" ? Number.isInteger(value) && Math.abs(value) < 2 ** 31 : "int" in value
  ) {
    type = "i32";
    data.i32(typeof value === "number" ? value : (value as { int: number }).int);
  } else {
    type = "f64";
    data.f64(typeof value === "number" ? value : (value as { float: number }).float);
  }
  const nameBytes = new TextEncoder().encode(name);
  const dt = datatype(type);
  const ds = dataspace([]);
  const w = new ByteWriter(64);
  w.u8(1)
    .u8(0)
    .u16(nameBytes.length + 1)
    .u16(dt.length)
    .u16(ds.length);
  w.bytes(nameBytes).u8(0).align(8);
  w.bytes(dt).align(8);
  w.bytes(ds).align(8);
  w.bytes(data.done());
  return { type: 0x000c, body: w.done() };
}

export interface ChunkRecord {
  /** Element offsets of the chunk in each dataset dimension. */
  offsets: number[];
  address: number;
  size: number;
}

/** Default "indexed storage internal node K" of superblock v0: nodes hold up to 2K = 64 chunks. */
export const CHUNK_BTREE_K = 32;

/**
 * Builds the v1 B-tree indexing the chunks of one dataset, bottom-up, placing nodes from `base`.
 * Returns the encoded nodes (contiguous) and the root address.
 */
export function chunkBTree(
  chunks: ChunkRecord[],
  rank: number,
  endOffsets: number[],
  base: number,
): { bytes: Uint8Array; root: number } {
  const maxEntries = 2 * CHUNK_BTREE_K;
  const keySize = 8 + 8 * (rank + 1);
  const nodeSize = 24 + (maxEntries + 1) * keySize + maxEntries * 8;
  interface Entry {
    key: { size: number; offsets: number[] };
    child: number;
  }
  const out = new ByteWriter(nodeSize * 4);
  let level = 0;
  let entries: Entry[] = chunks.map((c) => ({ key: { size: c.size, offsets: c.offsets }, child: c.address }));
  const endKey = { size: 0, offsets: endOffsets };
  // An empty dataset still needs a (empty) root leaf.
  for (;;) {
    const nodeCount = Math.max(1, Math.ceil(entries.length / maxEntries));
    const parents: Entry[] = [];
    const firstAddr = base + out.length;
    for (let n = 0; n < nodeCount; n++) {
      const group = entries.slice(n * maxEntries, (n + 1) * maxEntries);
      const addr = firstAddr + n * nodeSize;
      const start = out.length;
      out.ascii("TREE").u8(1).u8(level).u16(group.length);
      out.u64(n > 0 ? addr - nodeSize : UNDEF).u64(n < nodeCount - 1 ? addr + nodeSize : UNDEF);
      const writeKey = (k: { size: number; offsets: number[] }) => {
        out.u32(k.size).u32(0);
        for (let d = 0; d < rank; d++) out.u64(k.offsets[d] ?? 0);
        out.u64(0); // the element-size dimension
      };
      for (const e of group) {
        writeKey(e.key);
        out.u64(e.child);
      }
      const right = n < nodeCount - 1 ? entries[(n + 1) * maxEntries]!.key : endKey;
      writeKey(right);
      out.zeros(nodeSize - (out.length - start));
      if (group[0]) parents.push({ key: group[0].key, child: addr });
      else parents.push({ key: { size: 0, offsets: new Array(rank).fill(0) }, child: addr });
    }
    if (nodeCount === 1) return { bytes: out.done(), root: firstAddr };
    entries = parents;
    level++;
  }
}

export { pad8 };
