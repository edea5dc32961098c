// Idempotent producer ids: the init route, and the router's check that an id and epoch were issued.

import type { Context } from "hono";
import type { z } from "zod";
import { InitProducerSchema, ProducerIdentitySchema } from "../protocol/api.js";
import { EdgelogError, unwrap } from "../protocol/errors.js";
import type { Env } from "../env.js";
import type { AppEnv } from "./app-env.js";
import { cluster } from "./objects.js";
import { allows, allowsOnAnyTopic, CLUSTER } from "../auth/grants.js";
import { principalOf, type Principal } from "./auth.js";
import { inHandler } from "./permissions.js";
import { route, type Route } from "./route.js";

export const producerRoutes: Route[] = [
  route({
    method: "POST",
    path: "/v1/producers",
    summary: "Get an idempotent producer id (epoch 0), or bump an id's epoch to fence its old holder",
    // Kafka implies IDEMPOTENT_WRITE from WRITE on any topic (KIP-679).
    permission: inHandler(
      "produce on some topic, or cluster admin; re-initialising an id: the token that got it, or the admin (producing with one: checked by the produce routes)",
    ),
    body: InitProducerSchema,
    bodyOptional: true,
    ok: { status: 201, schema: ProducerIdentitySchema },
    handler: (c, { body }) => initProducer(c, body),
  }),
];

async function initProducer(c: Context<AppEnv>, input: z.output<typeof InitProducerSchema>): Promise<Response> {
  // Kafka (since 2.8, KIP-679) lets anyone who may write to some topic write idempotently.
  const { grants, name, id: principal } = principalOf(c);
  if (!allowsOnAnyTopic(grants, "produce") && !allows(grants, CLUSTER, "admin")) {
    throw new EdgelogError(
      "CLUSTER_AUTHORIZATION_FAILED",
      `token ${JSON.stringify(name)} may not produce to any topic, so it may not get a producer id`,
    );
  }
  // With auth off everyone is the same caller, so ownership is not recorded.
  const owner = principal === "open" ? null : principal;
  const identity = unwrap(await cluster(c.env).initProducer(input.id, owner));
  if (input.id === undefined) remember(identity.id, { epoch: identity.epoch, owner });
  else {
    // Re-initialising keeps the id's owner (the same token, or the admin fencing it).
    const entry = known.get(identity.id);
    if (entry) entry.epoch = Math.max(entry.epoch, identity.epoch);
  }
  return c.json(identity, 201);
}

/**
 * The newest epoch and the owner this isolate knows per producer id; ids never disappear, epochs
 * only grow, owners never change: a cached entry answers the common produce without an object call.
 */
const known = new Map<string, { epoch: number; owner: string | null }>();
const KNOWN_ENTRIES = 100_000;

function remember(id: string, entry: { epoch: number; owner: string | null }): void {
  if (known.size >= KNOWN_ENTRIES) known.clear();
  known.set(id, entry);
}

/**
 * Rejects ids the controller never issued, ids another token got, and epochs not issued yet.
 * An id belongs to the token that got it (the admin may use any): another token writing with it
 * would take its sequence numbers, and the owner's records would be answered as duplicates and
 * dropped. Ids issued with auth off (no owner) may be used by any token allowed to produce.
 * Transactional producers instead belong to their transactional id (`transactional-id:` grants),
 * so any token allowed on that id may use and fence them; they write only inside transactions.
 *
 * An epoch older than the newest is rejected here when this isolate already knows of the newer
 * one; otherwise the partition fences it as soon as the newer epoch has written there, as Kafka's
 * brokers do.
 */
/** The owner the controller records for a transactional id's producer ids (src/transactions). */
const TRANSACTIONAL_OWNER = "txn:";

export async function checkProducer(env: Env, caller: Principal, id: string, epoch: number): Promise<void> {
  let entry = known.get(id);
  if (entry === undefined || epoch > entry.epoch) {
    const record = unwrap(await cluster(env).getProducer(id));
    entry = { epoch: record.epoch, owner: record.owner };
    remember(id, entry);
  }
  if (entry.owner?.startsWith(TRANSACTIONAL_OWNER)) {
    throw new EdgelogError(
      "INVALID_REQUEST",
      `producer id ${id} belongs to transactional id ${entry.owner.slice(TRANSACTIONAL_OWNER.length)}: it writes only inside its transactions (give producer.transactional_id, or ?transactional_id= on the record-batch route)`,
    );
  }
  if (entry.owner !== null && caller.id !== "admin" && caller.id !== "open" && caller.id !== entry.owner) {
    throw new EdgelogError(
      "CLUSTER_AUTHORIZATION_FAILED",
      `producer id ${id} was obtained by another token; token ${JSON.stringify(caller.name)} may not write with it. Get your own id (POST /v1/producers)`,
    );
  }
  const newest = entry.epoch;
  if (epoch > newest) {
    throw new EdgelogError("INVALID_PRODUCER_EPOCH", `producer ${id} has no epoch ${epoch} yet (newest is ${newest})`);
  }
  if (epoch < newest) {
    throw new EdgelogError("INVALID_PRODUCER_EPOCH", `producer ${id} epoch ${epoch} is fenced by epoch ${newest}`);
  }
}
