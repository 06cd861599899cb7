import { describe, expect, it } from "vitest";
import { httpErrorFrom, httpErrorFromText } from "./http-errors";

describe("raw-route errors", () => {
  it("reads the API's error body with code and details", async () => {
    const body = {
      error: { code: "PAYLOAD_TOO_LARGE", message: "Over quota: 2 MB of 1 MB", details: { used: 2 } },
    };
    const e = await httpErrorFrom(new Response(JSON.stringify(body), { status: 413 }));
    expect(e).toMatchObject({ message: "Over quota: 2 MB of 1 MB", status: 413, code: "PAYLOAD_TOO_LARGE" });
    expect(e.details).toEqual({ used: 2 });
  });

  it("falls back to the status for bodies that are not the API's", () => {
    expect(httpErrorFromText(502, "<html>Bad gateway</html>", "Upload failed").message).toBe(
      "Upload failed (HTTP 502)",
    );
    expect(httpErrorFromText(500, JSON.stringify({ error: "plain string" })).message).toBe(
      "Request failed (HTTP 500)",
    );
    expect(httpErrorFromText(0, "").message).toMatch(/did not reach the server/);
  });
});
