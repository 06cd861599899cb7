import { describe, expect, it } from "vitest";
import { resolveMediaPath, sniffImageType } from "./image.ts";

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

describe("resolveMediaPath", () => {
  it("keeps paths inside MEDIA_ROOT", () => {
    expect(resolveMediaPath("/srv/media", "g1/species/a.png")).toBe("/srv/media/g1/species/a.png");
    expect(() => resolveMediaPath("/srv/media", "../etc/passwd")).toThrow("File not found");
    expect(() => resolveMediaPath("/srv/media", "/etc/passwd")).toThrow("File not found");
  });
});
