import { describe, expect, it } from "vitest";
import { assertMediaKey } from "../media/store.ts";
import { sniffImageType } from "./image.ts";

describe("sniffImageType", () => {
  it("recognises PNG and JPEG by magic bytes only", () => {
    expect(
      sniffImageType(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]))?.contentType,
    ).toBe("image/png");
    expect(sniffImageType(Buffer.from([0xff, 0xd8, 0xff, 0xdb]))?.contentType).toBe("image/jpeg");
    expect(sniffImageType(Buffer.from("GIF89a"))).toBeNull();
    expect(sniffImageType(Buffer.from("<svg xmlns="))).toBeNull();
    expect(sniffImageType(Buffer.alloc(0))).toBeNull();
  });
});

describe("media keys of images", () => {
  it("keeps keys inside the store", () => {
    expect(assertMediaKey("g1/species/a.png")).toBe("g1/species/a.png");
    for (const bad of ["../etc/passwd", "/etc/passwd", "g1/../../x", "g1//a.png", "a\\b", ""])
      expect(() => assertMediaKey(bad), bad).toThrow("Invalid media key");
  });
});
