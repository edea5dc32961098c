// The connector routes' handlers other than create and replace (connector-save.ts): describe,
// status, tasks, target states, restarts, delete, KIP-875 offsets and an http-source's webhook,
// each a call to the connector's object (a sink's offsets: its group's coordinator).

import type { Context } from "hono";
import { connectorResource } from "../auth/grants.js";
import { connectorTopics, sinkGroup } from "../connect/connector-config.js";
import type { SourceOffset, StoredConnector, TargetState } from "../contracts/connector.js";
import type { Env } from "../env.js";
import { connectorObject, coordinatorObject } from "../objects.js";
import { EdgelogError, unwrap, type Result } from "../protocol/errors.js";
import type { AppEnv } from "./app-env.js";
import { hasGrant, optionalPrincipal } from "./auth.js";
import { readBody } from "./body.js";
import { info, validated } from "./connector-save.js";
import { cluster } from "./objects.js";
import { pathParam } from "./params.js";

/** The largest webhook body an http-source takes. */
const INGEST_MAX_BYTES = 4 * 1024 * 1024;

const stub = (env: Env, name: string) => connectorObject(env, name);

export async function describeConnector(c: Context<AppEnv>): Promise<Response> {
  return c.json(info(await stored(c)));
}

export async function getConfig(c: Context<AppEnv>): Promise<Response> {
  return c.json(info(await stored(c)).config);
}

export async function connectorStatus(c: Context<AppEnv>): Promise<Response> {
  return c.json(unwrap(await stub(c.env, pathParam(c, "connector")).status()));
}

export async function restartConnector(c: Context<AppEnv>, includeTasks: boolean, onlyFailed: boolean) {
  return c.json(unwrap(await stub(c.env, pathParam(c, "connector")).restart(includeTasks, onlyFailed)), 202);
}

export async function restartTask(c: Context<AppEnv>): Promise<Response> {
  unwrap(await stub(c.env, pathParam(c, "connector")).restartTask(taskParam(c)));
  return c.body(null, 204);
}

/** The topics it reads and writes: its configured topics and DLQ, or a source's topic. */
export async function connectorTopicsReply(c: Context<AppEnv>): Promise<Response> {
  const s = await stored(c);
  const t = connectorTopics(validated(c.env, s.config));
  return c.json({ [s.name]: { topics: [...new Set([...t.consume, ...t.produce])] } });
}

async function stored(c: Context<AppEnv>): Promise<StoredConnector> {
  return unwrap(await stub(c.env, pathParam(c, "connector")).describe());
}

function taskParam(c: Context<AppEnv>): number {
  const raw = pathParam(c, "task");
  if (!/^\d{1,3}$/.test(raw))
    throw new EdgelogError("UNKNOWN_CONNECTOR_TASK", `task ids are integers, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

export async function listConnectors(c: Context<AppEnv>, expand: string | string[] | undefined): Promise<Response> {
  const entries = unwrap(await cluster(c.env).listConnectors()).filter((e) =>
    hasGrant(c, connectorResource(e.name), "describe"),
  );
  const names = entries.map((e) => e.name).sort();
  const want = new Set(expand === undefined ? [] : Array.isArray(expand) ? expand : [expand]);
  if (want.size === 0) return c.json(names);
  const out: Record<string, Record<string, unknown>> = {};
  await Promise.all(
    names.map(async (name) => {
      const entry: Record<string, unknown> = {};
      if (want.has("status")) {
        const s = await stub(c.env, name).status();
        if (s.ok) entry.status = s.value;
      }
      if (want.has("info")) {
        const d = await stub(c.env, name).describe();
        if (d.ok) entry.info = info(d.value);
      }
      out[name] = entry;
    }),
  );
  return c.json(out);
}

export async function deleteConnector(c: Context<AppEnv>): Promise<Response> {
  const name = pathParam(c, "connector");
  const gone = unwrap(await stub(c.env, name).destroy());
  if (gone.token_id) unwrap(await cluster(c.env).deleteToken(gone.token_id));
  unwrap(await cluster(c.env).forgetConnector(name));
  return c.body(null, 204);
}

export async function listTasks(c: Context<AppEnv>): Promise<Response> {
  const s = info(await stored(c));
  return c.json(
    s.tasks.map((id) => ({ id, config: { ...s.config, "task.class": s.config["connector.class"] ?? "" } })),
  );
}

export async function taskStatus(c: Context<AppEnv>): Promise<Response> {
  const task = taskParam(c);
  const s = unwrap(await stub(c.env, pathParam(c, "connector")).status());
  const t = s.tasks.find((x) => x.id === task);
  if (!t) throw new EdgelogError("UNKNOWN_CONNECTOR_TASK", `connector ${s.name} has no task ${task}`);
  return c.json(t);
}

export async function setTarget(c: Context<AppEnv>, target: TargetState, status: 202 | 204): Promise<Response> {
  unwrap(await stub(c.env, pathParam(c, "connector")).setTarget(target));
  return status === 204 ? c.body(null, 204) : c.body(null, 202);
}

const coordinator = (env: Env, group: string) => coordinatorObject(env, group);

export async function getOffsets(c: Context<AppEnv>): Promise<Response> {
  const s = await stored(c);
  if (s.type === "source") return c.json({ offsets: unwrap(await stub(c.env, s.name).sourceOffsets()) });
  const { offsets } = unwrap(await coordinator(c.env, sinkGroup(s.name)).committed());
  return c.json({
    offsets: offsets.map((o) => ({
      partition: { kafka_topic: o.topic, kafka_partition: o.partition },
      offset: { kafka_offset: o.offset },
    })),
  });
}

export async function changeOffsets(c: Context<AppEnv>, entries: SourceOffset[] | null): Promise<Response> {
  const s = await stored(c);
  if (s.target !== "STOPPED")
    throw new EdgelogError(
      "CONNECTOR_NOT_STOPPED",
      `connector ${s.name} must be in the STOPPED state to change its offsets`,
    );
  if (s.type === "source") {
    unwrap(await stub(c.env, s.name).changeSourceOffsets(entries));
  } else {
    const group = sinkGroup(s.name);
    if (entries === null) {
      const r = (await coordinator(c.env, group).deleteGroup(group)) as Result<null>;
      if (!r.ok && r.error.code !== "GROUP_ID_NOT_FOUND") unwrap(r);
    } else {
      unwrap(await coordinator(c.env, group).commit(group, { member_id: null, offsets: sinkOffsets(entries) }));
    }
  }
  const verb = entries === null ? "reset" : "altered";
  return c.json({ message: `The offsets for this connector have been ${verb} successfully` });
}

function sinkOffsets(entries: SourceOffset[]) {
  return entries.map((e, i) => {
    const topic = e.partition.kafka_topic;
    const partition = e.partition.kafka_partition;
    const offset = e.offset?.kafka_offset;
    if (typeof topic !== "string" || !Number.isInteger(partition))
      throw new EdgelogError(
        "INVALID_REQUEST",
        `offsets[${i}].partition: give {"kafka_topic": "...", "kafka_partition": N}`,
      );
    if (!Number.isInteger(offset) || (offset as number) < 0)
      throw new EdgelogError(
        "INVALID_REQUEST",
        `offsets[${i}].offset: give {"kafka_offset": N}; to reset partitions, reset all with DELETE /v1/connectors/<name>/offsets`,
      );
    return { topic, partition: partition as number, offset: offset as number };
  });
}

export async function ingest(c: Context<AppEnv>): Promise<Response> {
  const name = pathParam(c, "connector");
  const principal = optionalPrincipal(c);
  const body = await readBody(c, INGEST_MAX_BYTES);
  const headers: Record<string, string> = {};
  c.req.raw.headers.forEach((v, k) => {
    if (k !== "authorization") headers[k] = v;
  });
  const written = unwrap(
    await stub(c.env, name).ingest(
      { body, headers },
      { grants: principal ? [...principal.grants] : null, name: principal?.name ?? "" },
    ),
  );
  return c.json(written);
}
