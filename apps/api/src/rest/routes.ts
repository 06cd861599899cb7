// The /api/v1 JSON routes as (method, path) pairs: generated from the procedures' REST metadata
// (rest/procedures.ts), listed here for callers that only need the route table.
import { REST_PROCEDURES } from "./procedures.ts";

export const REST_ROUTES = REST_PROCEDURES.map((r) => ({
  method: r.method,
  path: r.path,
  procedure: r.procedure,
}));
