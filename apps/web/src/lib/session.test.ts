import { describe, expect, it } from "vitest";
import { safeNext } from "./session";

describe("safeNext", () => {
  it("keeps same-origin paths and refuses anything else", () => {
    expect(safeNext("/projects?x=1")).toBe("/projects?x=1");
    expect(safeNext("/invitations/accept?token=abc")).toBe("/invitations/accept?token=abc");
    expect(safeNext("//evil.example/x")).toBe("/");
    expect(safeNext("https://evil.example/")).toBe("/");
    expect(safeNext(null)).toBe("/");
    expect(safeNext(undefined)).toBe("/");
  });
});
