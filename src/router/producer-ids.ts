// Idempotent producer ids: the init route, and the router's check that an id and epoch were issued.

import type { Context } from "hono";
import type { z } from "zod";
import { InitProducerSchema, ProducerIdentitySchema } from "../protocol/api.js";
import { EdgelogError, unwrap } from "../protocol/errors.js";
import type { Env } from "../env.js";
import type { AppEnv } from "./app-env.js";
import { cluster } from "./objects.js";
import { allows, allowsOnAnyTopic, CLUSTER } from "../auth/grants.js";
import { principalOf } from "./auth.js";
import { inHandler } from "./permissions.js";
import { route, type Route } from "./route.js";

export const producerRoutes: Route[] = [
  route({
    method: "POST",
    path: "/v1/producers",
    summary: "Get an idempotent producer id (epoch 0), or bump an id's epoch to fence its old holder",
    // Kafka implies IDEMPOTENT_WRITE from WRITE on any topic (KIP-679).
    permission: inHandler(
      "produce on some topic, or cluster admin; re-initialising an id: the token that got it, or the admin",
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
  const identity = unwrap(await cluster(c.env).initProducer(input.id, principal === "open" ? null : principal));
  epochs.set(identity.id, identity.epoch);
  return c.json(identity, 201);
}

/** The newest epoch this isolate knows per producer id; ids never disappear, epochs only grow. */
const epochs = new Map<string, number>();

/**
 * Rejects ids the controller never issued and epochs it has not issued yet. An epoch older than
 * the newest is rejected here when this isolate already knows of the newer one; otherwise the
 * partition fences it as soon as the newer epoch has written there, as Kafka's brokers do.
 */
export async function checkProducer(env: Env, id: string, epoch: number): Promise<void> {
  let known = epochs.get(id);
  if (known === undefined || epoch > known) {
    known = unwrap(await cluster(env).getProducer(id)).epoch;
    epochs.set(id, known);
  }
  if (epoch > known) {
    throw new EdgelogError("INVALID_PRODUCER_EPOCH", `producer ${id} has no epoch ${epoch} yet (newest is ${known})`);
  }
  if (epoch < known) {
    throw new EdgelogError("INVALID_PRODUCER_EPOCH", `producer ${id} epoch ${epoch} is fenced by epoch ${known}`);
  }
}
