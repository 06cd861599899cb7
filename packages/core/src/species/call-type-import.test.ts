import { describe, expect, it } from "vitest";
import { DomainError } from "../access/errors.ts";
import { parseCallTypeFile, parseCallTypeFileOrThrow } from "./call-type-import.ts";

describe("parseCallTypeFile", () => {
  it("reads short,long and short|long lines, skipping blanks and # comments", () => {
    const text = "\uFEFF# header\r\nEcho,Echolocation call\r\n\r\nFM | Frequency modulated, downward\nQCF\n";
    expect(parseCallTypeFile(text)).toEqual({
      callTypes: [
        { line: 2, shortName: "Echo", longName: "Echolocation call" },
        { line: 4, shortName: "FM", longName: "Frequency modulated, downward" },
        { line: 5, shortName: "QCF", longName: "" },
      ],
      errors: [],
    });
  });

  it("collects every bad line with its number", () => {
    const { errors } = parseCallTypeFile(
      ["ok,fine", "|missing short", "OK,dup", `y,${"l".repeat(201)}`].join("\n"),
    );
    expect(errors).toEqual([
      { line: 2, message: "Short name is required" },
      { line: 3, message: 'Duplicate short name "OK" (first on line 1)' },
      { line: 4, message: "Long name must be at most 200 characters" },
    ]);
  });

  it("throws a BAD_REQUEST DomainError whose message lists the lines", () => {
    const err = (() => {
      try {
        parseCallTypeFileOrThrow("a\na");
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe("BAD_REQUEST");
    expect((err as DomainError).message).toBe('Line 2: Duplicate short name "a" (first on line 1)');
    expect(() => parseCallTypeFileOrThrow("")).toThrow("The file contains no call types");
  });
});
