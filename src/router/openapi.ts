// The OpenAPI 3.1 document, generated from the same zod schemas the routes validate with.

import { z } from "zod";
import * as api from "../protocol/api.js";
import { STREAM_MAX_APPEND_BYTES } from "../durable-streams/protocol.js";
import {
  CONTENT_TYPE_RECORD_BATCH,
  MAX_RECORDS_PER_REQUEST,
  MAX_REQUEST_BYTES,
  QUERY_TOKEN_PARAM,
} from "../protocol/constants.js";
import { PERMISSIONS } from "./permissions.js";

export interface RouteDoc {
  method: "get" | "post" | "put" | "patch" | "delete" | "options";
  /** Hono path syntax (:param); rendered as {param}. */
  path: string;
  summary: string;
  body?: z.ZodType;
  /** Alternative binary body, when the route takes raw record batches too. */
  binaryBody?: boolean;
  query?: z.ZodObject;
  ok: { status: number; schema?: z.ZodType; binary?: boolean };
}

export const ROUTES: RouteDoc[] = [
  {
    method: "get",
    path: "/healthz",
    summary: "Liveness check; reports whether authentication is required or off",
    ok: { status: 200, schema: z.object({ ok: z.boolean(), auth: z.enum(["required", "off"]) }) },
  },
  { method: "get", path: "/v1/openapi.json", summary: "This document", ok: { status: 200 } },
  {
    method: "post",
    path: "/v1/topics",
    summary: "Create a topic",
    body: api.CreateTopicSchema,
    ok: { status: 201, schema: api.TopicSchema },
  },
  {
    method: "get",
    path: "/v1/topics",
    summary: "List topics",
    ok: { status: 200, schema: z.object({ topics: z.array(api.TopicSchema) }) },
  },
  {
    method: "get",
    path: "/v1/topics/:topic",
    summary: "Describe a topic and its partitions",
    ok: { status: 200, schema: api.DescribeTopicSchema },
  },
  {
    method: "patch",
    path: "/v1/topics/:topic",
    summary: "Add partitions or change config",
    body: api.AlterTopicSchema,
    ok: { status: 200, schema: api.TopicSchema },
  },
  {
    method: "delete",
    path: "/v1/topics/:topic",
    summary: "Delete a topic; its data becomes unreachable at once",
    ok: { status: 204 },
  },
  {
    method: "post",
    path: "/v1/topics/:topic/records",
    summary: `Produce records (at most ${MAX_RECORDS_PER_REQUEST} and ${MAX_REQUEST_BYTES} bytes per request); keys pick partitions with murmur2`,
    body: api.ProduceRequestSchema,
    ok: { status: 200, schema: api.ProduceReplySchema },
  },
  {
    method: "post",
    path: "/v1/topics/:topic/partitions/:p/records",
    summary: `Produce to one partition: JSON records, or raw RecordBatch v2 as ${CONTENT_TYPE_RECORD_BATCH}`,
    body: api.ProduceRequestSchema,
    binaryBody: true,
    ok: { status: 200, schema: api.ProduceReplySchema.or(api.BatchProduceReplySchema) },
  },
  {
    method: "get",
    path: "/v1/topics/:topic/partitions/:p/records",
    summary:
      `Fetch records from an offset; long-polls with wait_ms; Accept: ${CONTENT_TYPE_RECORD_BATCH} returns raw batches; ` +
      "live=sse streams Server-Sent Events and a WebSocket upgrade streams live frames",
    query: api.FetchQuerySchema,
    ok: { status: 200, schema: api.FetchReplySchema, binary: true },
  },
  {
    method: "get",
    path: "/v1/topics/:topic/partitions/:p/offsets",
    summary: "Look up an offset: earliest, latest, or by timestamp",
    query: api.OffsetsQuerySchema,
    ok: { status: 200, schema: api.OffsetReplySchema },
  },
  {
    method: "post",
    path: "/v1/producers",
    summary: "Get an idempotent producer id (epoch 0), or bump an id's epoch to fence its old holder",
    body: api.InitProducerSchema,
    ok: { status: 201, schema: api.ProducerIdentitySchema },
  },
  {
    method: "post",
    path: "/v1/fetch",
    summary: "Fetch many partitions in one long-poll",
    body: api.MultiFetchRequestSchema,
    ok: { status: 200, schema: api.MultiFetchReplySchema },
  },
  {
    method: "post",
    path: "/v1/groups/:group/heartbeat",
    summary:
      "Join a consumer group or heartbeat: membership, subscription, owned partitions in; epoch and assignment out",
    body: api.HeartbeatRequestSchema,
    ok: { status: 200, schema: api.HeartbeatReplySchema },
  },
  {
    method: "delete",
    path: "/v1/groups/:group/members/:member",
    summary: "Leave the group; the member's partitions are reassigned",
    ok: { status: 204 },
  },
  {
    method: "post",
    path: "/v1/groups/:group/offsets",
    summary: "Commit offsets, fenced by member id, epoch and ownership (no member id: empty groups only)",
    body: api.CommitOffsetsSchema,
    ok: { status: 204 },
  },
  {
    method: "get",
    path: "/v1/groups/:group/offsets",
    summary: "Committed offsets",
    ok: { status: 200, schema: api.CommittedOffsetsReplySchema },
  },
  {
    method: "post",
    path: "/v1/groups/:group/offsets/reset",
    summary: "Reset offsets to earliest, latest, a time or an offset (empty group only)",
    body: api.ResetOffsetsSchema,
    ok: { status: 200, schema: api.ResetOffsetsReplySchema },
  },
  {
    method: "get",
    path: "/v1/groups",
    summary: "List consumer groups, a page at a time",
    query: api.GroupListQuerySchema,
    ok: { status: 200, schema: api.GroupListSchema },
  },
  {
    method: "get",
    path: "/v1/groups/:group",
    summary: "Describe a group: state, members, assignment, lag per partition",
    ok: { status: 200, schema: api.GroupSchema },
  },
  {
    method: "delete",
    path: "/v1/groups/:group",
    summary: "Delete a group and its offsets (empty group only)",
    ok: { status: 204 },
  },
  // Durable Streams (https://github.com/durable-streams/durable-streams): the path is a wildcard,
  // `/v1/stream/{name}`, where name is a stream name that maps to the topic `stream.{name}`.
  // Their bodies are the stream's own content type and their metadata travels in Stream-* headers.
  {
    method: "put",
    path: "/v1/stream/*",
    binaryBody: true,
    summary:
      "Durable Streams: create /v1/stream/{name} (topic stream.{name}); Stream-TTL, Stream-Expires-At, Stream-Closed, Stream-Forked-From headers",
    ok: { status: 201 },
  },
  {
    method: "post",
    path: "/v1/stream/*",
    binaryBody: true,
    summary: `Durable Streams: append to (or close) /v1/stream/{name}; Producer-Id/Epoch/Seq, Stream-Seq; at most ${STREAM_MAX_APPEND_BYTES} bytes`,
    ok: { status: 204 },
  },
  {
    method: "get",
    path: "/v1/stream/*",
    summary:
      "Durable Streams: read /v1/stream/{name} from ?offset= (-1, now, or a token), live=long-poll|sse; HEAD for metadata",
    ok: { status: 200, binary: true },
  },
  {
    method: "delete",
    path: "/v1/stream/*",
    summary: "Durable Streams: delete /v1/stream/{name} (soft while forks use it)",
    ok: { status: 204 },
  },
  { method: "options", path: "/v1/stream/*", summary: "Durable Streams: CORS preflight", ok: { status: 204 } },
  {
    method: "post",
    path: "/v1/mirrors",
    summary:
      "Mirror a topic from another edgelog deployment into a local one (created with the source's partition count if missing)",
    body: api.CreateMirrorSchema,
    ok: { status: 201, schema: api.MirrorSchema },
  },
  {
    method: "get",
    path: "/v1/mirrors",
    summary: "List mirrors with their progress and lag",
    ok: { status: 200, schema: api.MirrorListSchema },
  },
  {
    method: "get",
    path: "/v1/mirrors/:mirror",
    summary: "A mirror: config (never its token), progress, lag and last error per partition",
    ok: { status: 200, schema: api.MirrorSchema },
  },
  {
    method: "delete",
    path: "/v1/mirrors/:mirror",
    summary: "Stop and remove a mirror; the records copied stay",
    ok: { status: 204 },
  },
  {
    method: "post",
    path: "/v1/tokens",
    summary:
      "Create a scoped token (needs cluster admin; grants no wider than the caller's); the token is shown only in this reply",
    body: api.CreateTokenSchema,
    ok: { status: 201, schema: api.CreatedTokenSchema },
  },
  {
    method: "get",
    path: "/v1/tokens",
    summary: "List tokens (never their secrets)",
    ok: { status: 200, schema: z.object({ tokens: z.array(api.TokenInfoSchema) }) },
  },
  {
    method: "delete",
    path: "/v1/tokens/:id",
    summary: "Revoke a token; every isolate refuses it within EDGELOG_AUTH_CACHE_MS (at most 10 s)",
    ok: { status: 204 },
  },
];

const json = (schema: z.ZodType) => z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });

export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of ROUTES) {
    const path = r.path.replace(/:(\w+)/g, "{$1}");
    const parameters = [
      ...[...r.path.matchAll(/:(\w+)/g)].map((m) => ({
        name: m[1],
        in: "path",
        required: true,
        schema: { type: "string" },
      })),
      ...Object.entries(r.query?.shape ?? {}).map(([name, s]) => ({
        name,
        in: "query",
        required: !(s as z.ZodType).safeParse(undefined).success,
        schema: json(s as z.ZodType),
      })),
    ];
    const content: Record<string, unknown> = {};
    if (r.body) content["application/json"] = { schema: json(r.body) };
    if (r.binaryBody) content[CONTENT_TYPE_RECORD_BATCH] = { schema: { type: "string", format: "binary" } };
    const okContent: Record<string, unknown> = {};
    if (r.ok.schema)
      okContent["application/json"] = { schema: z.toJSONSchema(r.ok.schema, { io: "output", unrepresentable: "any" }) };
    if (r.ok.binary) okContent[CONTENT_TYPE_RECORD_BATCH] = { schema: { type: "string", format: "binary" } };
    const permission = PERMISSIONS[`${r.method.toUpperCase()} ${r.path}`];
    const open = permission?.access === "public";
    const produce = permission?.access === "grant" && permission.op === "produce";
    (paths[path] ??= {})[r.method] = {
      summary: r.summary,
      // Produce routes also take a produce-only token as ?access_token (for navigator.sendBeacon).
      security: open ? [] : produce ? [{ bearer: [] }, { queryToken: [] }] : [{ bearer: [] }],
      parameters: parameters.length > 0 ? parameters : undefined,
      requestBody: r.body || r.binaryBody ? { required: true, content } : undefined,
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
      },
    },
  };
}
