// The REST face of a tRPC procedure. A procedure with `.meta({ rest: … })` is served under that
// path by rest/procedure-routes.ts and described in the OpenAPI document; nothing else is needed.

export type RestMethod = "GET" | "POST" | "PATCH" | "PUT" | "DELETE";

export interface RestOperation {
  method: RestMethod;
  /**
   * Fastify syntax (`/api/v1/projects/:projectId`). Each `:name` must be a field of the
   * procedure's input; the other fields come from the query string (GET/DELETE) or the JSON body.
   */
  path: string;
  summary: string;
  /** Groups operations in the reference page. */
  tag: string;
  /** The success status (default 200). */
  status?: 200 | 201 | 202;
  /** Other statuses this operation answers on purpose, beyond the common 400/401/404/429. */
  errors?: number[];
}

export interface RestMeta {
  rest?: RestOperation;
}
