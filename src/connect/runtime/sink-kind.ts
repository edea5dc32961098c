// Sink connector tasks on the member host: kind "connect-sink" builds, from the spec's config, the
// task's sink, its runner and a group member of connect-<name> (one host object per task).

import { Transport } from "../../client/transport.js";
import type { Env } from "../../env.js";
import { type HostContext, type HostedMember, HostedFailure, registerHostedKind } from "../../host/kinds.js";
import { GroupMember } from "../../host/member.js";
import { parseAllowedHosts } from "../allowlist.js";
import type { RawConfig } from "../config.js";
import { sinkGroup, taskTransactionalId, validateConnector, type ValidatedConnector } from "../connector-config.js";
import { HttpSink } from "../sinks/http-sink.js";
import { JSON_LINES, parquet } from "../sinks/object-format.js";
import { QueuesSink } from "../sinks/queues-sink.js";
import { R2Sink } from "../sinks/r2-sink.js";
import type { SinkTask } from "../sinks/task.js";
import { deploymentFacts } from "./facts.js";
import { TransactionalDlq } from "./dlq-transaction.js";
import { dlqWriter } from "./produce.js";
import { SinkRunner } from "./sink-runner.js";

export const SINK_KIND = "connect-sink";
/** Spec config keys the connector object adds beside the connector's own config. */
export const TASK_ID_KEY = "edgelog.task.id";
export const PAUSED_KEY = "edgelog.paused";

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function sinkTask(c: ValidatedConnector, env: Env, runner: () => SinkRunner): SinkTask {
  const v = c.values;
  const report = (...a: Parameters<SinkRunner["report"]>) => runner().report(...a);
  switch (c.plugin.class) {
    case "http-sink":
      return new HttpSink({
        values: v,
        allowedHosts: parseAllowedHosts(env.EDGELOG_CONNECT_HTTP_ALLOWED_HOSTS),
        report,
        fetch: (input, init) => fetch(input, init),
        sleep,
        maxDelayMs: c.errors.retryDelayMaxMs,
      });
    case "r2-sink": {
      const format = String(v["format.class"]).toLowerCase().includes("parquet")
        ? parquet(v["parquet.codec"] as "none" | "snappy")
        : JSON_LINES;
      return new R2Sink({
        bucket: (env as unknown as Record<string, R2Bucket>)[String(v["r2.bucket.binding"])]!,
        dir: String(v["topics.dir"]),
        flushSize: v["flush.size"] as number,
        rotateIntervalMs: v["rotate.interval.ms"] as number,
        format,
        now: Date.now,
      });
    }
    case "queues-sink":
      return new QueuesSink({
        queue: (env as unknown as Record<string, Queue>)[String(v["queue.binding"])]!,
        batchSize: v["batch.max.size"] as number,
        format: v["queue.message.format"] as "envelope" | "value",
        report,
      });
    default:
      throw new HostedFailure(`${c.plugin.class} is not a sink connector`);
  }
}

async function hostSink(ctx: HostContext): Promise<HostedMember> {
  const raw = ctx.spec.config as RawConfig;
  const v = validateConnector(raw, deploymentFacts(ctx.env));
  if (!v.connector) {
    const first = Object.entries(v.errors)[0];
    throw new HostedFailure(`invalid connector config: ${first ? `${first[0]}: ${first[1].join("; ")}` : "unknown"}`);
  }
  const c = v.connector;
  const http = new Transport({ url: ctx.url, fetch: ctx.fetch, token: ctx.token });
  let runner: SinkRunner | undefined;
  const sink = sinkTask(c, ctx.env, () => runner!);
  const taskId = Number(raw[TASK_ID_KEY] ?? 0);
  runner = new SinkRunner({
    connector: c,
    taskId,
    sink,
    dlq: dlqWriter(http, c.errors.dlqTopic ?? "", c.errors.dlqContextHeaders),
    transactionalDlq: c.errors.dlqExactlyOnce
      ? new TransactionalDlq(http, taskTransactionalId(c.name, taskId), c.errors.dlqTopic!, c.errors.dlqContextHeaders)
      : undefined,
    paused: raw[PAUSED_KEY] === "true",
    sleep,
  });
  const member = new GroupMember(http, runner, {
    group: sinkGroup(c.name),
    topics: c.values.topics as string[],
    instanceId: ctx.objectName,
    commitIntervalMs: c.values["offset.flush.interval.ms"] as number,
    maxWaitMs: 500,
    isolationLevel: c.values["consumer.override.isolation.level"] as "read_uncommitted" | "read_committed",
  });
  // A sink may wait long on the other system (retries with backoff): heartbeats keep the membership meanwhile.
  const stopBeats = member.startHeartbeats();
  return {
    member,
    close: async () => {
      stopBeats();
      await member.leave();
    },
    abandon: async () => {
      stopBeats();
      await member.abandon();
    },
  };
}

registerHostedKind(SINK_KIND, hostSink);
