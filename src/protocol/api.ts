// Request and reply shapes of HTTP API v1, as zod schemas: the router validates with them,
// the OpenAPI document is generated from them, and the SDK takes its types from them. One module
// per resource; every request and reply type clients use is inferred from a schema, never written twice.

export { ErrorBodySchema, IsolationSchema, type ErrorReplyBody } from "./api-fields.js";
export * from "./topics-api.js";
export * from "./records-api.js";
export * from "./groups-api.js";
export * from "./transactions-api.js";
export * from "./tokens-api.js";
export * from "./mirrors-api.js";
