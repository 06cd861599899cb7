import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";
import { colormapLut } from "./colormaps.ts";
import { encodeIndexedPng } from "./png-encode.ts";

function decode(buf: Buffer) {
  return PNG.sync.read(buf);
}

describe("encodeIndexedPng", () => {
  it("round-trips every pixel through a standard PNG decoder as the palette colour of its index", () => {
    const width = 37;
    const height = 23;
    const lut = colormapLut("viridis");
    const indices = new Uint8Array(width * height);
    for (let i = 0; i < indices.length; i++) indices[i] = (i * 97 + Math.floor(i / width) * 13) % 256;
    const img = decode(encodeIndexedPng(indices, width, height, lut));
    expect([img.width, img.height]).toEqual([width, height]);
    for (let i = 0; i < indices.length; i++) {
      const c = indices[i]! * 3;
      expect([img.data[i * 4], img.data[i * 4 + 1], img.data[i * 4 + 2], img.data[i * 4 + 3]]).toEqual([
        lut[c],
        lut[c + 1],
        lut[c + 2],
        255,
      ]);
    }
  });

  it("encodes a one-pixel image and a palette of one colour", () => {
    const img = decode(encodeIndexedPng(new Uint8Array([0]), 1, 1, new Uint8Array([10, 20, 30])));
    expect([...img.data]).toEqual([10, 20, 30, 255]);
  });

  it("is smaller than the RGB encoding of the same smooth image", () => {
    const width = 600;
    const height = 300;
    const lut = colormapLut("roseus");
    const indices = new Uint8Array(width * height);
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++)
        indices[y * width + x] = Math.round(127 + 120 * Math.sin(x / 40 + y / 25));
    const indexed = encodeIndexedPng(indices, width, height, lut);
    const rgb = new PNG({ width, height, colorType: 2, inputHasAlpha: false });
    for (let i = 0; i < indices.length; i++) {
      rgb.data.set([lut[indices[i]! * 3]!, lut[indices[i]! * 3 + 1]!, lut[indices[i]! * 3 + 2]!, 255], i * 4);
    }
    expect(indexed.length).toBeLessThan(PNG.sync.write(rgb, { colorType: 2 }).length);
  });

  it("refuses sizes and palettes a PNG cannot hold, naming the problem", () => {
    expect(() => encodeIndexedPng(new Uint8Array(4), 2, 3, new Uint8Array(3))).toThrow(
      /Expected 6 pixel indices/,
    );
    expect(() => encodeIndexedPng(new Uint8Array(0), 0, 0, new Uint8Array(3))).toThrow(/positive integers/);
    expect(() => encodeIndexedPng(new Uint8Array(1), 1, 1, new Uint8Array(257 * 3))).toThrow(
      /1–256 RGB entries/,
    );
  });
});
