import { describe, expect, it } from "vitest";
import { isNavItemCurrent, type NavItem, SEGMENTATION_EDITOR } from "./nav";

const recordings: NavItem = { to: "/recordings", label: "Recordings", except: SEGMENTATION_EDITOR };
const segmentation: NavItem = { to: "/segmentation", label: "Segmentation", also: SEGMENTATION_EDITOR };
const dashboard: NavItem = { to: "/", label: "Dashboard", end: true };

describe("isNavItemCurrent", () => {
  it("highlights Segmentation, not Recordings, on a recording's segmentation editor", () => {
    for (const p of ["/recordings/abc/segmentation", "/recordings/abc/segmentation/"]) {
      expect(isNavItemCurrent(segmentation, p)).toBe(true);
      expect(isNavItemCurrent(recordings, p)).toBe(false);
    }
  });

  it("matches an entry's own path and the paths below it", () => {
    expect(isNavItemCurrent(recordings, "/recordings")).toBe(true);
    expect(isNavItemCurrent(recordings, "/recordings/abc")).toBe(true);
    expect(isNavItemCurrent(recordings, "/recordings-old")).toBe(false);
    expect(isNavItemCurrent(segmentation, "/segmentation")).toBe(true);
    expect(isNavItemCurrent(segmentation, "/recordings/abc")).toBe(false);
  });

  it("an `end` entry matches only exactly", () => {
    expect(isNavItemCurrent(dashboard, "/")).toBe(true);
    expect(isNavItemCurrent(dashboard, "/recordings")).toBe(false);
  });
});
