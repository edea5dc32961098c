// SASL routes for Kafka gateways: PLAIN and SCRAM sign-ins checked against the controller's token
// store, each answered with a session the gateway's connection then acts with; and the way an
// existing token gets SCRAM credentials (by presenting itself, since only its holder knows the secret).

import type { Context } from "hono";
import { scramCredentials, SCRAM_MECHANISMS } from "../auth/scram.js";
import { splitToken } from "../auth/token-format.js";
import {
  SaslPlainSchema,
  SaslSessionSchema,
  ScramCredentialsReplySchema,
  ScramFinalReplySchema,
  ScramFinalSchema,
  ScramFirstReplySchema,
  ScramFirstSchema,
} from "../protocol/api.js";
import { EdgelogError, unwrap } from "../protocol/errors.js";
import type { AppEnv } from "./app-env.js";
import { principalOf } from "./auth.js";
import { cluster } from "./objects.js";
import { inHandler, onCluster } from "./permissions.js";
import { route, type Route } from "./route.js";

export const saslRoutes: Route[] = [
  route({
    method: "POST",
    path: "/v1/sasl/plain",
    summary: "Check a SASL/PLAIN sign-in (a Kafka gateway's client) and open a session acting as its token",
    permission: onCluster("authenticate"),
    body: SaslPlainSchema,
    ok: { status: 200, schema: SaslSessionSchema },
    handler: async (c, { body }) => c.json(unwrap(await cluster(c.env).saslPlain(body.username, body.password))),
  }),
  route({
    method: "POST",
    path: "/v1/sasl/scram/first",
    summary:
      "SCRAM's first round: the server-first-message for a client-first-message (unknown users get a stand-in salt)",
    permission: onCluster("authenticate"),
    body: ScramFirstSchema,
    ok: { status: 200, schema: ScramFirstReplySchema },
    handler: async (c, { body }) => c.json(unwrap(await cluster(c.env).scramFirst(body.mechanism, body.client_first))),
  }),
  route({
    method: "POST",
    path: "/v1/sasl/scram/final",
    summary:
      "SCRAM's second round: verifies the client's proof once per exchange; on success the server-final-message and a session",
    permission: onCluster("authenticate"),
    body: ScramFinalSchema,
    ok: { status: 200, schema: ScramFinalReplySchema },
    handler: async (c, { body }) => c.json(unwrap(await cluster(c.env).scramFinal(body.exchange, body.client_final))),
  }),
  route({
    method: "POST",
    path: "/v1/sasl/scram-credentials",
    summary:
      "Give the calling token SCRAM-SHA-256/512 credentials (tokens minted before SCRAM support have none); send the token itself as the bearer",
    permission: inHandler("the calling token itself (a scoped token, not a session or the admin secret)"),
    bodyOptional: true,
    ok: { status: 200, schema: ScramCredentialsReplySchema },
    handler: setOwnScramCredentials,
  }),
];

async function setOwnScramCredentials(c: Context<AppEnv>): Promise<Response> {
  const principal = principalOf(c);
  const bearer = /^Bearer +(\S+) *$/i.exec(c.req.header("authorization") ?? "")?.[1] ?? "";
  const parts = splitToken(bearer);
  // The credentials are derived from the secret, which only a request carrying the token itself has.
  if (!parts || parts.id !== principal.id)
    throw new EdgelogError(
      "INVALID_REQUEST",
      "send the scoped token that should get SCRAM credentials as Authorization: Bearer elg_<id>_<secret>",
    );
  unwrap(await cluster(c.env).setScramCredentials(parts.id, await scramCredentials(parts.secret)));
  return c.json({ token_id: parts.id, mechanisms: [...SCRAM_MECHANISMS] });
}
