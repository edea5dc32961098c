// Who is calling, as far as authorization is concerned: what a request's token resolves to.

import type { Grant } from "./grants.js";
import type { Quotas } from "./quota.js";

export interface Principal {
  /** A scoped token's id, "admin" for EDGELOG_ADMIN_TOKEN, "open" when auth is off. */
  id: string;
  name: string;
  grants: readonly Grant[];
  quotas: Quotas | null;
  /** ms since the epoch, or null. */
  expiresAt: number | null;
}
