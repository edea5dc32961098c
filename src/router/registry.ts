// Schema registry routes under /registry: Confluent's REST API (subjects, versions, schemas by id,
// compatibility, config, mode) over the SchemaRegistryDO, in Confluent's media type.

import type { Context } from "hono";
import { z } from "zod";
import { subjectResource } from "../auth/grants.js";
import { unwrap, EdgelogError } from "../protocol/errors.js";
import { CONTENT_TYPE_REGISTRY, REGISTRY_PREFIX as R } from "../protocol/registry-api.js";
import { SCHEMA_TYPES } from "../schemas/formats.js";
import { parseVersion } from "../registry/registry.js";
import type { AppEnv } from "./app-env.js";
import { hasGrant } from "./auth.js";
import { pathParam } from "./params.js";
import {
  CompatibilityReplySchema,
  ConfigReplySchema,
  ConfigRequestSchema,
  ModeReplySchema,
  ModeRequestSchema,
  RegisteredSchema,
  SchemaByIdSchema,
  SchemaRequestSchema,
  SubjectVersionSchema,
} from "./registry-schemas.js";
import { inHandler, onCluster, type Permission } from "./permissions.js";
import { route, type Route } from "./route.js";
import { registry } from "./schema-cache.js";

const onSubject = (op: "read" | "write" | "delete" | "configure"): Permission => ({
  access: "grant",
  kind: "subject",
  param: "subject",
  op,
});
const ANY_TOKEN = inHandler("any token");
const READ_BY_ID = inHandler("read on a subject the schema is registered under");

const ids = z.array(z.number().int());
const strings = z.array(z.string());

export const registryRoutes: Route[] = [
  route({
    method: "GET",
    path: R,
    summary: "Schema registry: root (answers {})",
    permission: ANY_TOKEN,
    ok: { status: 200 },
    handler: (c) => reply(c, {}),
  }),
  route({
    method: "GET",
    path: `${R}/schemas/types`,
    summary: "Schema registry: the schema types (AVRO, JSON, PROTOBUF)",
    permission: ANY_TOKEN,
    ok: { status: 200, schema: strings },
    handler: (c) => reply(c, [...SCHEMA_TYPES]),
  }),
  route({
    method: "GET",
    path: `${R}/schemas/ids/:id`,
    summary: "Schema registry: a schema by its global id (soft-deleted versions' schemas still resolve)",
    permission: READ_BY_ID,
    ok: { status: 200, schema: SchemaByIdSchema },
    handler: async (c) => {
      const id = await readableId(c);
      return reply(c, unwrap(await registry(c.env).schemaById(id)));
    },
  }),
  route({
    method: "GET",
    path: `${R}/schemas/ids/:id/schema`,
    summary: "Schema registry: a schema's text alone, by id",
    permission: READ_BY_ID,
    ok: { status: 200 },
    handler: async (c) => {
      const id = await readableId(c);
      return rawSchema(c, unwrap(await registry(c.env).schemaById(id)).schema);
    },
  }),
  route({
    method: "GET",
    path: `${R}/schemas/ids/:id/subjects`,
    summary: "Schema registry: the subjects a schema id is registered under (those the token may read)",
    permission: READ_BY_ID,
    ok: { status: 200, schema: strings },
    handler: async (c) => {
      const id = await readableId(c);
      const subjects = unwrap(await registry(c.env).subjectsOf(id, flag(c, "deleted")));
      return reply(
        c,
        subjects.filter((s) => mayRead(c, s)),
      );
    },
  }),
  route({
    method: "GET",
    path: `${R}/schemas/ids/:id/versions`,
    summary: "Schema registry: the subject versions using a schema id (those the token may read)",
    permission: READ_BY_ID,
    ok: { status: 200, schema: z.array(z.object({ subject: z.string(), version: z.number().int() })) },
    handler: async (c) => {
      const id = await readableId(c);
      const versions = unwrap(await registry(c.env).versionsOf(id, flag(c, "deleted")));
      return reply(
        c,
        versions.filter((v) => mayRead(c, v.subject)),
      );
    },
  }),
  route({
    method: "GET",
    path: `${R}/subjects`,
    summary: "Schema registry: subjects (those the token may read); ?deleted=true, ?subjectPrefix=",
    permission: inHandler("any token; lists the subjects it may read"),
    ok: { status: 200, schema: strings },
    handler: async (c) => {
      const all = unwrap(await registry(c.env).subjects(flag(c, "deleted"), c.req.query("subjectPrefix") ?? ""));
      return reply(
        c,
        all.filter((s) => mayRead(c, s)),
      );
    },
  }),
  route({
    method: "POST",
    path: `${R}/subjects/:subject/versions`,
    summary:
      "Schema registry: register a schema under a subject (the same schema again answers its existing id); checked against the subject's compatibility level",
    permission: onSubject("write"),
    body: SchemaRequestSchema,
    ok: { status: 200, schema: RegisteredSchema },
    handler: async (c, { body }) => reply(c, unwrap(await registry(c.env).register(subject(c), body))),
  }),
  route({
    method: "GET",
    path: `${R}/subjects/:subject/versions`,
    summary: "Schema registry: a subject's version numbers; ?deleted=true includes soft-deleted ones",
    permission: onSubject("read"),
    ok: { status: 200, schema: ids },
    handler: async (c) => reply(c, unwrap(await registry(c.env).listVersions(subject(c), flag(c, "deleted")))),
  }),
  route({
    method: "GET",
    path: `${R}/subjects/:subject/versions/:version`,
    summary: "Schema registry: one version (a number, -1 or latest)",
    permission: onSubject("read"),
    ok: { status: 200, schema: SubjectVersionSchema },
    handler: async (c) =>
      reply(c, unwrap(await registry(c.env).getVersion(subject(c), version(c), flag(c, "deleted")))),
  }),
  route({
    method: "GET",
    path: `${R}/subjects/:subject/versions/:version/schema`,
    summary: "Schema registry: one version's schema text alone",
    permission: onSubject("read"),
    ok: { status: 200 },
    handler: async (c) =>
      rawSchema(c, unwrap(await registry(c.env).getVersion(subject(c), version(c), flag(c, "deleted"))).schema),
  }),
  route({
    method: "GET",
    path: `${R}/subjects/:subject/versions/:version/referencedby`,
    summary: "Schema registry: ids of the schemas that reference this version",
    permission: onSubject("read"),
    ok: { status: 200, schema: ids },
    handler: async (c) => reply(c, unwrap(await registry(c.env).referencedBy(subject(c), version(c)))),
  }),
  route({
    method: "POST",
    path: `${R}/subjects/:subject`,
    summary: "Schema registry: look a schema up under a subject (its id and version)",
    permission: onSubject("read"),
    body: SchemaRequestSchema,
    ok: { status: 200, schema: SubjectVersionSchema },
    handler: async (c, { body }) =>
      reply(c, unwrap(await registry(c.env).lookup(subject(c), body, flag(c, "deleted")))),
  }),
  route({
    method: "DELETE",
    path: `${R}/subjects/:subject`,
    summary: "Schema registry: delete a subject (soft; then ?permanent=true); answers the versions deleted",
    permission: onSubject("delete"),
    ok: { status: 200, schema: ids },
    handler: async (c) => reply(c, unwrap(await registry(c.env).deleteSubject(subject(c), flag(c, "permanent")))),
  }),
  route({
    method: "DELETE",
    path: `${R}/subjects/:subject/versions/:version`,
    summary: "Schema registry: delete a version (soft; then ?permanent=true); answers its number",
    permission: onSubject("delete"),
    ok: { status: 200, schema: z.number().int() },
    handler: async (c) =>
      reply(c, unwrap(await registry(c.env).deleteVersion(subject(c), version(c), flag(c, "permanent")))),
  }),
  route({
    method: "POST",
    path: `${R}/compatibility/subjects/:subject/versions/:version`,
    summary: "Schema registry: is a schema compatible with this version (?verbose=true gives the reasons)",
    permission: onSubject("read"),
    body: SchemaRequestSchema,
    ok: { status: 200, schema: CompatibilityReplySchema },
    handler: async (c, { body }) =>
      compatibility(c, unwrap(await registry(c.env).checkCompatibility(subject(c), version(c), body))),
  }),
  route({
    method: "POST",
    path: `${R}/compatibility/subjects/:subject/versions`,
    summary: "Schema registry: is a schema compatible with the versions the subject's level names",
    permission: onSubject("read"),
    body: SchemaRequestSchema,
    ok: { status: 200, schema: CompatibilityReplySchema },
    handler: async (c, { body }) =>
      compatibility(c, unwrap(await registry(c.env).checkCompatibility(subject(c), undefined, body))),
  }),
  route({
    method: "GET",
    path: `${R}/config`,
    summary: "Schema registry: the global compatibility level",
    permission: ANY_TOKEN,
    ok: { status: 200, schema: ConfigReplySchema },
    handler: async (c) => level(c, unwrap(await registry(c.env).getLevel(undefined, true))),
  }),
  route({
    method: "PUT",
    path: `${R}/config`,
    summary: "Schema registry: set the global compatibility level",
    permission: onCluster("admin"),
    body: ConfigRequestSchema,
    ok: { status: 200, schema: ConfigRequestSchema },
    handler: async (c, { body }) =>
      reply(c, { compatibility: unwrap(await registry(c.env).setLevel(undefined, body.compatibility)) }),
  }),
  route({
    method: "DELETE",
    path: `${R}/config`,
    summary: "Schema registry: reset the global compatibility level to BACKWARD (answers the one removed)",
    permission: onCluster("admin"),
    ok: { status: 200, schema: ConfigReplySchema },
    handler: async (c) => level(c, unwrap(await registry(c.env).deleteLevel(undefined))),
  }),
  route({
    method: "GET",
    path: `${R}/config/:subject`,
    summary: "Schema registry: a subject's own compatibility level (40408 without one, unless ?defaultToGlobal=true)",
    permission: onSubject("read"),
    ok: { status: 200, schema: ConfigReplySchema },
    handler: async (c) => level(c, unwrap(await registry(c.env).getLevel(subject(c), flag(c, "defaultToGlobal")))),
  }),
  route({
    method: "PUT",
    path: `${R}/config/:subject`,
    summary: "Schema registry: set a subject's compatibility level",
    permission: onSubject("configure"),
    body: ConfigRequestSchema,
    ok: { status: 200, schema: ConfigRequestSchema },
    handler: async (c, { body }) =>
      reply(c, { compatibility: unwrap(await registry(c.env).setLevel(subject(c), body.compatibility)) }),
  }),
  route({
    method: "DELETE",
    path: `${R}/config/:subject`,
    summary: "Schema registry: remove a subject's own level (the global one applies again)",
    permission: onSubject("configure"),
    ok: { status: 200, schema: ConfigReplySchema },
    handler: async (c) => level(c, unwrap(await registry(c.env).deleteLevel(subject(c)))),
  }),
  route({
    method: "GET",
    path: `${R}/mode`,
    summary: "Schema registry: the global mode (READWRITE or READONLY)",
    permission: ANY_TOKEN,
    ok: { status: 200, schema: ModeReplySchema },
    handler: async (c) => reply(c, { mode: unwrap(await registry(c.env).getMode(undefined, true)) }),
  }),
  route({
    method: "PUT",
    path: `${R}/mode`,
    summary: "Schema registry: set the global mode",
    permission: onCluster("admin"),
    body: ModeRequestSchema,
    ok: { status: 200, schema: ModeReplySchema },
    handler: async (c, { body }) => reply(c, { mode: unwrap(await registry(c.env).setMode(undefined, body.mode)) }),
  }),
  route({
    method: "GET",
    path: `${R}/mode/:subject`,
    summary: "Schema registry: a subject's own mode (40409 without one, unless ?defaultToGlobal=true)",
    permission: onSubject("read"),
    ok: { status: 200, schema: ModeReplySchema },
    handler: async (c) =>
      reply(c, { mode: unwrap(await registry(c.env).getMode(subject(c), flag(c, "defaultToGlobal"))) }),
  }),
  route({
    method: "PUT",
    path: `${R}/mode/:subject`,
    summary: "Schema registry: set a subject's mode",
    permission: onSubject("configure"),
    body: ModeRequestSchema,
    ok: { status: 200, schema: ModeReplySchema },
    handler: async (c, { body }) => reply(c, { mode: unwrap(await registry(c.env).setMode(subject(c), body.mode)) }),
  }),
  route({
    method: "DELETE",
    path: `${R}/mode/:subject`,
    summary: "Schema registry: remove a subject's own mode",
    permission: onSubject("configure"),
    ok: { status: 200, schema: ModeReplySchema },
    handler: async (c) => reply(c, { mode: unwrap(await registry(c.env).deleteMode(subject(c))) }),
  }),
];

function reply(c: Context<AppEnv>, body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": CONTENT_TYPE_REGISTRY } });
}

function rawSchema(c: Context<AppEnv>, text: string): Response {
  void c;
  return new Response(text, { headers: { "content-type": CONTENT_TYPE_REGISTRY } });
}

function compatibility(c: Context<AppEnv>, messages: string[]): Response {
  const verbose = flag(c, "verbose");
  return reply(c, { is_compatible: messages.length === 0, ...(verbose ? { messages } : {}) });
}

function level(c: Context<AppEnv>, compatibilityLevel: string): Response {
  return reply(c, { compatibilityLevel });
}

function flag(c: Context<AppEnv>, name: string): boolean {
  return c.req.query(name) === "true";
}

function subject(c: Context<AppEnv>): string {
  return pathParam(c, "subject");
}

function version(c: Context<AppEnv>) {
  return parseVersion(pathParam(c, "version"));
}

function mayRead(c: Context<AppEnv>, name: string): boolean {
  return hasGrant(c, subjectResource(name), "read");
}

/** A path's schema id, checked readable: the token reads some subject it is registered under. */
async function readableId(c: Context<AppEnv>): Promise<number> {
  const raw = pathParam(c, "id");
  const id = /^\d{1,10}$/.test(raw) ? Number(raw) : 0;
  if (id < 1 || id > 2 ** 31 - 1) throw new EdgelogError("SCHEMA_NOT_FOUND", `Schema ${raw} not found`);
  // A grant on every subject (subject:*) reads every id without asking where it is registered.
  if (mayRead(c, "")) return id;
  const subjects = unwrap(await registry(c.env).subjectsOf(id, true));
  if (!subjects.some((s) => mayRead(c, s)))
    throw new EdgelogError(
      "SUBJECT_AUTHORIZATION_FAILED",
      `the token may read no subject schema ${id} is registered under`,
    );
  return id;
}
