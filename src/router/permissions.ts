// Who may call what: every route the app serves, keyed as Hono registers it, with the grant it needs.
// The auth middleware (auth.ts) checks path-derived resources from this table before the handler
// runs; resources named in a body are checked by the handler with requireGrant. A route missing
// here is refused (fail closed), and test/integration/auth/permissions.test.ts lists the gaps.

import type { Operation, ResourceKind } from "../protocol/constants.js";
import type { QuotaKind } from "../auth/quota.js";

export type Permission =
  /** No token needed. */
  | { access: "public" }
  /** The middleware checks `op` on the resource named by path parameter `param` (none for the cluster). */
  | { access: "grant"; kind: ResourceKind; param?: string; op: Operation }
  /** Authenticated by the middleware; the handler checks the resources its body names (`check` says how). */
  | { access: "in-handler"; check: string; quota?: QuotaKind }
  /** Not a route: middleware registered on a path (`app.use("/v1/x/*", …)`); the route matched after it decides. */
  | { access: "middleware" };

const PUBLIC: Permission = { access: "public" };
const topic = (op: Operation): Permission => ({ access: "grant", kind: "topic", param: "topic", op });
const cluster = (op: Operation): Permission => ({ access: "grant", kind: "cluster", op });
const group = (op: Operation): Permission => ({ access: "grant", kind: "group", param: "group", op });
/** A Durable Streams route: the stream names topic stream.<name>, checked in the handler. */
const stream = (op: Operation, quota?: QuotaKind): Permission => ({
  access: "in-handler",
  check: `${op} on topic:stream.<name>`,
  quota,
});

/** Keys are `METHOD path`, the path exactly as registered with Hono (`:param` syntax). */
export const PERMISSIONS: Record<string, Permission> = {
  "GET /healthz": PUBLIC,
  "GET /v1/openapi.json": PUBLIC,

  "POST /v1/topics": { access: "in-handler", check: "admin on topic:<body name>" },
  "GET /v1/topics": { access: "in-handler", check: "lists only the topics the token may describe" },
  "GET /v1/topics/:topic": topic("describe"),
  "PATCH /v1/topics/:topic": topic("admin"),
  "DELETE /v1/topics/:topic": topic("admin"),

  "POST /v1/topics/:topic/records": topic("produce"),
  "POST /v1/topics/:topic/partitions/:p/records": topic("produce"),
  // Also serves live tails on the same URL (SSE, WebSocket upgrade): consume.
  "GET /v1/topics/:topic/partitions/:p/records": topic("consume"),
  "GET /v1/topics/:topic/partitions/:p/offsets": topic("describe"),
  "POST /v1/fetch": {
    access: "in-handler",
    check: "consume on each topic; refused partitions fail inline",
    quota: "fetch",
  },

  // Kafka implies IDEMPOTENT_WRITE from WRITE on any topic (KIP-679).
  "POST /v1/producers": {
    access: "in-handler",
    check: "produce on some topic, or cluster admin; re-initialising an id: the token that got it, or the admin",
  },

  // Consumer groups, as Kafka's ACLs: READ on the group (and on the topics a body names) to join,
  // commit or reset; DESCRIBE to look; DELETE (admin) to delete.
  "POST /v1/groups/:group/heartbeat": group("consume"),
  "DELETE /v1/groups/:group/members/:member": group("consume"),
  "POST /v1/groups/:group/offsets": group("consume"),
  "GET /v1/groups/:group/offsets": group("describe"),
  "POST /v1/groups/:group/offsets/reset": group("consume"),
  "GET /v1/groups": { access: "in-handler", check: "lists only the groups the token may describe" },
  "GET /v1/groups/:group": group("describe"),
  "DELETE /v1/groups/:group": group("admin"),

  // Durable Streams: CORS and security headers on every stream reply, then the stream routes.
  "ALL /v1/stream/*": { access: "middleware" },
  "OPTIONS /v1/stream/*": { access: "public" },
  "PUT /v1/stream/*": stream("admin"),
  "POST /v1/stream/*": stream("produce", "produce"),
  "GET /v1/stream/*": stream("consume", "fetch"),
  "DELETE /v1/stream/*": stream("admin"),

  // Mirrors copy from another deployment with a token of their own: managing them is cluster admin.
  "POST /v1/mirrors": cluster("admin"),
  "GET /v1/mirrors": cluster("describe"),
  "GET /v1/mirrors/:mirror": cluster("describe"),
  "DELETE /v1/mirrors/:mirror": cluster("admin"),

  "POST /v1/tokens": cluster("admin"),
  "GET /v1/tokens": cluster("describe"),
  "DELETE /v1/tokens/:id": cluster("admin"),
};

/** Which byte-rate quota a route draws on: produce routes the produce rate, consume routes the fetch rate. */
export function quotaOf(p: Permission): QuotaKind | undefined {
  if (p.access === "in-handler") return p.quota;
  if (p.access === "grant" && p.kind === "topic")
    return p.op === "produce" ? "produce" : p.op === "consume" ? "fetch" : undefined;
  return undefined;
}
