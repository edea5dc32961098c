// Worker mode: a Worker that is edgelog plus stream applications whose tasks run in member-host
// Durable Objects (stores in each object's SQLite), started on the Worker's first request or cron.

import type { Env } from "../env.js";
import type { Router } from "../host/host-do.js";
import { registerHostedKind, type HostContext, type HostedMember } from "../host/kinds.js";
import { EdgelogError, unwrap } from "../protocol/errors.js";
import { resolveConfig, type StreamsConfig } from "./config.js";
import { errorReply, queryHandler, storeView, type StoreQueries } from "./query.js";
import { StreamsInstance } from "./runtime/instance.js";
import { migrateStreamsStorage, SqliteBytesStore } from "./state/sqlite.js";
import type { Topology } from "./topology/topology.js";
import { memberHostObject } from "../objects.js";

export interface WorkerApplication {
  topology: Topology | (() => Topology);
  /** As in Node, less what the host decides (server, token, instance id). */
  config: Omit<StreamsConfig, "url" | "token" | "fetch" | "instanceId" | "applicationServer">;
  /** How many host objects (group members) run the application; default 1. */
  instances?: number;
}

interface Defined {
  topology: Topology;
  config: WorkerApplication["config"];
  instances: number;
}

const applications = new Map<string, Defined>();

/** Where a host object runs instance `i` of an application. */
export const hostName = (applicationId: string, i: number) => `streams:${applicationId}:${i}`;

async function hostStreams(ctx: HostContext): Promise<HostedMember> {
  const app = applications.get(ctx.spec.name);
  if (!app) {
    throw new EdgelogError("INVALID_REQUEST", `no streams application ${ctx.spec.name} is defined in this Worker`);
  }
  const cfg = resolveConfig({
    ...app.config,
    url: ctx.url,
    fetch: ctx.fetch,
    token: ctx.token,
    instanceId: ctx.objectName,
  });
  migrateStreamsStorage(ctx.sql);
  const instance = await StreamsInstance.create(app.topology, cfg, {
    open: (spec, task) => new SqliteBytesStore(ctx.sql, `${cfg.applicationId}/${spec.name}/${task}`),
  });
  const local = (name: string) => instance.localStores(name);
  const queries: StoreQueries = {
    list: () =>
      [...app.topology.stores.values()].filter((s) => s.queryable).map((s) => ({ name: s.name, type: s.type })),
    view: (name) => {
      const spec = app.topology.stores.get(name);
      if (!spec?.queryable) throw new EdgelogError("UNKNOWN_STATE_STORE", `no queryable state store ${name}`);
      return { type: spec.type, view: storeView(name, spec.type, () => local(name)), sample: local(name)[0] };
    },
    // A key whose task is not here (another object's, or moving between them) is not answered as
    // absent: every object but the one hosting it says so, and the merge keeps that one's answer.
    locate: async (name, key) =>
      instance.globals.stores.has(name) || instance.keyLocation(name, key).hosted
        ? { local: true }
        : { local: false, url: null },
  };
  return {
    member: instance.member,
    fetch: queryHandler(queries, { prefix: `/streams/${cfg.applicationId}` }),
    close: () => instance.close(),
    abandon: () => instance.abandon(),
  };
}

registerHostedKind("streams", hostStreams);

/** Defines an application for this Worker's host objects; the configuration is checked here. */
export function defineWorkerApplication(app: WorkerApplication): void {
  const config = resolveConfig({ ...app.config });
  const instances = app.instances ?? 1;
  if (!Number.isInteger(instances) || instances < 1 || instances > 1024) {
    throw new EdgelogError("INVALID_CONFIG", `instances must be 1..1024, got ${instances}`);
  }
  const topology = typeof app.topology === "function" ? app.topology() : app.topology;
  applications.set(config.applicationId, { topology, config: app.config, instances });
}

/** Asks every host object of every defined application to run (idempotent). */
export async function startWorkerApplications(env: Env): Promise<void> {
  const calls: Promise<unknown>[] = [];
  for (const [id, app] of applications) {
    for (let i = 0; i < app.instances; i++) {
      calls.push(memberHostObject(env, hostName(id, i)).start({ kind: "streams", name: id }).then(unwrap));
    }
  }
  await Promise.all(calls);
}

/** Stops an application's host objects: final commits, the group left. */
export async function stopWorkerApplication(env: Env, applicationId: string): Promise<void> {
  const app = applications.get(applicationId);
  if (!app)
    throw new EdgelogError("INVALID_REQUEST", `no streams application ${applicationId} is defined in this Worker`);
  await Promise.all(
    Array.from({ length: app.instances }, async (_, i) =>
      unwrap(await memberHostObject(env, hostName(applicationId, i)).stop()),
    ),
  );
}

/**
 * The Worker's handler: the edgelog router, plus `GET /streams/{applicationId}/stores/...`
 * interactive queries answered from every host object of the application, and the applications
 * started on the first request (and on each cron trigger).
 */
export function streamsWorker(router: Router, apps: WorkerApplication[]): ExportedHandler<Env> {
  for (const app of apps) defineWorkerApplication(app);
  let started: Promise<void> | undefined;
  const ensureStarted = (env: Env) => {
    started ??= startWorkerApplications(env).catch((e) => {
      started = undefined;
      console.error("edgelog streams: could not start the applications", e);
    });
    return started;
  };
  return {
    async fetch(request, env, ctx) {
      ctx.waitUntil(ensureStarted(env));
      const url = new URL(request.url);
      const m = /^\/streams\/([^/]+)\/stores(\/.*)?$/.exec(url.pathname);
      if (m) return query(env, decodeURIComponent(m[1]!), request);
      return router.fetch(request as Request, env, ctx);
    },
    async scheduled(_controller, env, ctx) {
      ctx.waitUntil(ensureStarted(env));
    },
  };
}

/** Asks every instance (each answers from the tasks it hosts) and merges their answers. */
async function query(env: Env, applicationId: string, request: Request): Promise<Response> {
  try {
    const app = applications.get(applicationId);
    if (!app) throw new EdgelogError("ROUTE_NOT_FOUND", `no streams application ${applicationId} in this Worker`);
    const replies = await Promise.all(
      Array.from({ length: app.instances }, async (_, i) => {
        const r = await memberHostObject(env, hostName(applicationId, i)).fetch(request.url, {
          method: request.method,
        });
        return { status: r.status, body: (await r.json()) as Record<string, any> };
      }),
    );
    const ok = replies.filter((r) => r.status === 200).map((r) => r.body);
    if (ok.length === 0) return Response.json(replies[0]!.body, { status: replies[0]!.status });
    const first = ok[0]!;
    let merged: Record<string, unknown> = first;
    if ("entries" in first) merged = { ...first, entries: ok.flatMap((b) => b.entries).sort(byKey) };
    else if ("value" in first) merged = ok.find((b) => b.value !== null) ?? first;
    else if ("windows" in first)
      merged = { ...first, windows: ok.flatMap((b) => b.windows).sort((a, b) => a.start - b.start) };
    else if ("sessions" in first) merged = { ...first, sessions: ok.flatMap((b) => b.sessions) };
    return Response.json(merged);
  } catch (e) {
    return errorReply(e);
  }
}

const byKey = (a: { key: unknown }, b: { key: unknown }) => {
  const x = typeof a.key === "string" ? a.key : JSON.stringify(a.key);
  const y = typeof b.key === "string" ? b.key : JSON.stringify(b.key);
  return x < y ? -1 : x > y ? 1 : 0;
};
