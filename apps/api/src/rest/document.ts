// The OpenAPI document as served, for code that generates from it without a running server
// (the typed client in packages/api-client).
import { FILE_ROUTES } from "./file-routes.ts";
import { buildOpenApiDocument, type OpenApiVersion } from "./openapi.ts";
import { REST_PROCEDURES } from "./procedures.ts";

export function openApiDocument(publicUrl: string, version: OpenApiVersion = "3.1.0") {
  return buildOpenApiDocument(REST_PROCEDURES, FILE_ROUTES, publicUrl, version);
}
