// The OpenAPI 3.1 document, rendered from the route table: the same objects the app mounts.

import { z } from "zod";
import * as api from "../protocol/api.js";
import { CONTENT_TYPE_RECORD_BATCH, QUERY_TOKEN_PARAM } from "../protocol/constants.js";
import type { Route } from "./route.js";

const json = (schema: z.ZodType) => z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });

export function openApiDocument(routes: readonly Route[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const body = r.body ?? r.documents?.body;
    const query = r.query ?? r.documents?.query;
    const path = r.path.replace(/:(\w+)/g, "{$1}");
    const parameters = [
      ...[...r.path.matchAll(/:(\w+)/g)].map((m) => ({
        name: m[1],
        in: "path",
        required: true,
        schema: { type: "string" },
      })),
      ...Object.entries(query?.shape ?? {}).map(([name, s]) => ({
        name,
        in: "query",
        required: !(s as z.ZodType).safeParse(undefined).success,
        schema: json(s as z.ZodType),
      })),
    ];
    const content: Record<string, unknown> = {};
    if (body) content["application/json"] = { schema: json(body) };
    if (r.binaryBody) content[CONTENT_TYPE_RECORD_BATCH] = { schema: { type: "string", format: "binary" } };
    const okContent: Record<string, unknown> = {};
    if (r.ok.schema)
      okContent["application/json"] = { schema: z.toJSONSchema(r.ok.schema, { io: "output", unrepresentable: "any" }) };
    if (r.ok.binary)
      okContent[typeof r.ok.binary === "string" ? r.ok.binary : CONTENT_TYPE_RECORD_BATCH] = {
        schema: { type: "string", format: "binary" },
      };
    const open = r.permission.access === "public";
    const produce = r.permission.access === "grant" && r.permission.op === "produce";
    (paths[path] ??= {})[r.method.toLowerCase()] = {
      summary: r.summary,
      // Produce routes also take a produce-only token as ?access_token (for navigator.sendBeacon).
      // Signed routes (a connector's webhook) take a bearer token or the body's HMAC signature.
      security: open
        ? []
        : produce
          ? [{ bearer: [] }, { queryToken: [] }]
          : r.permission.access === "signed"
            ? [{ bearer: [] }, { hmacSignature: [] }]
            : [{ bearer: [] }],
      parameters: parameters.length > 0 ? parameters : undefined,
      requestBody: body || r.binaryBody ? { required: true, content } : undefined,
      responses: {
        [r.ok.status]: { description: "OK", content: Object.keys(okContent).length > 0 ? okContent : undefined },
        default: { description: "Error", content: { "application/json": { schema: json(api.ErrorBodySchema) } } },
      },
    };
  }
  return {
    openapi: "3.1.0",
    info: { title: "edgelog", version: "1", description: "A Kafka-grade commit log on Cloudflare Durable Objects" },
    paths,
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer" },
        queryToken: {
          type: "apiKey",
          in: "query",
          name: QUERY_TOKEN_PARAM,
          description: "produce-only tokens, produce routes only",
        },
        hmacSignature: {
          type: "apiKey",
          in: "header",
          name: "X-Signature-256",
          description: "an http-source's HMAC of the raw body (its hmac.header, default X-Signature-256: sha256=<hex>)",
        },
      },
    },
  };
}
