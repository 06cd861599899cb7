import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./index.ts";

const noPersist = { persistSecretKey: false };

describe("CSP_MODE", () => {
  it.each([
    ["enforce", { mode: "enforce", enforce: true, strictMode: false }],
    ["report-only", { mode: "report-only", enforce: false, strictMode: false }],
    [" Strict ", { mode: "strict", enforce: true, strictMode: true }],
  ])("%s", (value, expected) => {
    expect(loadConfig({ CSP_MODE: value }, noPersist).csp).toEqual({ ...expected, deprecatedVariables: [] });
  });

  it("reads the deprecated CSP_ENFORCE / CSP_STRICT_MODE only without CSP_MODE, and says so", () => {
    expect(loadConfig({ CSP_ENFORCE: "false" }, noPersist).csp).toEqual({
      mode: "report-only",
      enforce: false,
      strictMode: false,
      deprecatedVariables: ["CSP_ENFORCE"],
    });
    expect(loadConfig({ CSP_ENFORCE: "true", CSP_STRICT_MODE: "true" }, noPersist).csp).toMatchObject({
      mode: "strict",
      deprecatedVariables: ["CSP_ENFORCE", "CSP_STRICT_MODE"],
    });
    expect(loadConfig({ CSP_MODE: "enforce", CSP_ENFORCE: "false" }, noPersist).csp).toMatchObject({
      mode: "enforce",
      deprecatedVariables: [],
    });
  });

  it("refuses an unknown mode, naming the choices", () => {
    expect(() => loadConfig({ CSP_MODE: "on" }, noPersist)).toThrow(ConfigError);
    expect(() => loadConfig({ CSP_MODE: "on" }, noPersist)).toThrow(
      "CSP_MODE: expected one of enforce, report-only, strict",
    );
  });
});

describe("API pool and proxies", () => {
  it("reads API_POOL_THREADS, API_POOL_QUEUE (0 = no waiting) and TRUST_PROXY", () => {
    const c = loadConfig(
      { API_POOL_THREADS: "3", API_POOL_QUEUE: "0", TRUST_PROXY: "10.0.0.0/8, 192.168.1.2" },
      noPersist,
    );
    expect(c.apiPool).toEqual({ threads: 3, maxQueue: 0 });
    expect(c.trustProxy).toEqual(["10.0.0.0/8", "192.168.1.2"]);
  });

  it.each([
    [{ API_POOL_THREADS: "0" }, "API_POOL_THREADS: expected a positive integer"],
    [{ API_POOL_QUEUE: "-1" }, "API_POOL_QUEUE: expected a whole number ≥ 0"],
    [{ API_POOL_QUEUE: "2.5" }, "API_POOL_QUEUE: expected a whole number ≥ 0"],
  ])("rejects %j", (env, message) => {
    expect(() => loadConfig(env, noPersist)).toThrow(message);
  });
});
