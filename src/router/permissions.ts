// Who may call a route: the permission each route declares in its table entry (route.ts), and the
// quota it draws on. The route's own middleware (auth.ts authorize) checks path-derived resources
// before the handler runs; resources named in a body are checked by the handler with requireGrant.
// The policy is pinned, independently of the table, by test/integration/auth/permission-policy.test.ts.

import type { Operation, ResourceKind } from "../protocol/constants.js";
import type { QuotaKind } from "../auth/quota.js";

export type Permission =
  /** No token needed. */
  | { access: "public" }
  /** The middleware checks `op` on the resource named by path parameter `param` (none for the cluster). */
  | { access: "grant"; kind: ResourceKind; param?: string; op: Operation }
  /** Authenticated by the middleware; the handler checks the resources its body names (`check` says how). */
  | { access: "in-handler"; check: string; quota?: QuotaKind }
  /**
   * A token is checked when one is sent, but a request may come without one: the handler accepts
   * it only with another proof (a webhook's HMAC signature, `check` says which) or answers 401.
   */
  | { access: "signed"; check: string };

export const PUBLIC: Permission = { access: "public" };
export const onTopic = (op: Operation): Permission => ({ access: "grant", kind: "topic", param: "topic", op });
export const onCluster = (op: Operation): Permission => ({ access: "grant", kind: "cluster", op });
export const onGroup = (op: Operation): Permission => ({ access: "grant", kind: "group", param: "group", op });
export const onTransactionalId = (op: Operation): Permission => ({
  access: "grant",
  kind: "transactional-id",
  param: "tid",
  op,
});
export const onConnector = (op: Operation): Permission => ({
  access: "grant",
  kind: "connector",
  param: "connector",
  op,
});
export const signed = (check: string): Permission => ({ access: "signed", check });
export const inHandler = (check: string, quota?: QuotaKind): Permission => ({ access: "in-handler", check, quota });
/** A Durable Streams route: the stream names topic stream.<name>, checked in the handler. */
export const onStream = (op: Operation, quota?: QuotaKind): Permission =>
  inHandler(`${op} on topic:stream.<name>`, quota);

/** Which byte-rate quota a route draws on: produce routes the produce rate, consume routes the fetch rate. */
export function quotaOf(p: Permission): QuotaKind | undefined {
  if (p.access === "in-handler") return p.quota;
  if (p.access === "grant" && p.kind === "topic")
    return p.op === "produce" ? "produce" : p.op === "consume" ? "fetch" : undefined;
  return undefined;
}

/** One line for docs and the OpenAPI document: what a token needs to call the route. */
export function describePermission(p: Permission): string {
  switch (p.access) {
    case "public":
      return "public";
    case "grant":
      return p.kind === "cluster" ? `${p.op} on cluster` : `${p.op} on ${p.kind}:{${p.param}}`;
    case "in-handler":
    case "signed":
      return p.check;
  }
}
