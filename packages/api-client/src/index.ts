// A typed client for /api/v1, generated from the server's OpenAPI document (src/generated/schema.d.ts).
//   const api = createBattyCodaClient({ baseUrl: "http://127.0.0.1:8000", apiKey: "bc_…" });
//   const { data, error } = await api.GET("/api/v1/recordings/{recordingId}", { params: { path: { recordingId } } });
import createClient, { type Client } from "openapi-fetch";
import type { paths } from "./generated/schema.d.ts";

export type { components, operations, paths } from "./generated/schema.d.ts";

export interface BattyCodaClientOptions {
  baseUrl: string;
  apiKey: string;
  /** Act in this group instead of the key owner's current one. */
  groupId?: string;
  fetch?: typeof fetch;
}

export type BattyCodaClient = Client<paths>;

export function createBattyCodaClient(options: BattyCodaClientOptions): BattyCodaClient {
  return createClient<paths>({
    baseUrl: options.baseUrl,
    headers: {
      authorization: `Bearer ${options.apiKey}`,
      ...(options.groupId ? { "x-group-id": options.groupId } : {}),
    },
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}
