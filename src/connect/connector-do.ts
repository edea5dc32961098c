// ConnectorDO: one object per connector. Holds its config, target state and token; runs a sink's
// tasks on member host objects (started, paused, stopped and restarted from here); is itself a
// source connector's one task (webhook requests and queue batches arrive here, in-process writes).

import { DurableObject } from "cloudflare:workers";
import { allows } from "../auth/grants.js";
import { Transport } from "../client/transport.js";
import type { Env } from "../env.js";
import type {
  ConnectorRpc,
  IngestCaller,
  QueueMessageIn,
  SourceOffset,
  StoredConnector,
  TargetState,
  Written,
} from "../contracts/connector.js";
import { rpc } from "../contracts/rpc.js";
import { INTERNAL_URL, inProcessFetch, type Router } from "../host/host-do.js";
import { memberHostObject } from "../objects.js";
import type { ConnectorStatus } from "../protocol/connect-api.js";
import { EdgelogError, unwrap, type Result } from "../protocol/errors.js";
import { PerKeyQueue } from "../util/per-key.js";
import { connectorKv } from "./keys.js";
import { sinkGroup, taskTransactionalId, validateConnector, type ValidatedConnector } from "./connector-config.js";
import { errorMessage, stackTrace } from "./errors.js";
import type { ConnectRecord } from "./record.js";
import { deploymentFacts } from "./runtime/facts.js";
import { hostName, sinkStatus, sourceStatus, taskSpec } from "./runtime/tasks.js";
import { ingestRecords, signatureValid } from "./sources/http-source.js";
import { SourceTask } from "./sources/source-task.js";

export function connectorClass(router: Router) {
  return class ConnectorDO extends DurableObject<Env> implements ConnectorRpc {
    readonly #kv = connectorKv(this.ctx.storage);
    #source?: SourceTask;
    /**
     * Deliveries of one id go one at a time (this object is their one context, and a write awaits
     * the partitions, letting the next request in): a retry that arrives while the first attempt is
     * still writing waits for it, then is answered with what it wrote instead of writing again.
     */
    readonly #deliveries = new PerKeyQueue();

    #stored(): StoredConnector {
      const c = this.#kv.get("connector");
      if (!c) throw new EdgelogError("CONNECTOR_NOT_FOUND", `connector ${this.ctx.id.name ?? ""} does not exist`);
      return c;
    }

    /** Creates (`create`) or replaces the config; the target state is kept on update. Returns the previous record. */
    async save(next: StoredConnector, create: boolean): Promise<Result<StoredConnector | null>> {
      return rpc(async () => {
        const kv = this.#kv;
        const prev = kv.get("connector") ?? null;
        if (create && prev) throw new EdgelogError("CONNECTOR_ALREADY_EXISTS", `connector ${next.name} already exists`);
        const c: StoredConnector = prev
          ? { ...next, id: prev.id, target: prev.target, created_at: prev.created_at }
          : next;
        kv.put("connector", c);
        kv.delete("failed");
        this.#source = undefined;
        await this.#reconcile(c, prev?.tasks ?? 0);
        return prev;
      });
    }

    async describe(): Promise<Result<StoredConnector>> {
      return rpc(async () => {
        return this.#stored();
      });
    }

    async status(): Promise<Result<ConnectorStatus>> {
      return rpc(async () => {
        const c = this.#stored();
        if (c.type === "source") return sourceStatus(c, this.#kv.get("failed") ?? null);
        const hosts = await Promise.all(
          Array.from({ length: c.tasks }, async (_, i) =>
            unwrap(await memberHostObject(this.env, hostName(c, i)).status()),
          ),
        );
        return sinkStatus(c, hosts);
      });
    }

    /** pause / resume / stop (Kafka's target states): sink tasks are re-specced or stopped; a source answers accordingly. */
    async setTarget(target: TargetState): Promise<Result<StoredConnector>> {
      return rpc(async () => {
        const c = { ...this.#stored(), target };
        this.#kv.put("connector", c);
        await this.#reconcile(c, c.tasks);
        return c;
      });
    }

    /** Restarts the connector; with includeTasks its tasks too (onlyFailed: the failed ones). */
    async restart(includeTasks: boolean, onlyFailed: boolean): Promise<Result<ConnectorStatus>> {
      return rpc(async () => {
        const c = this.#stored();
        if (c.type === "source") {
          if (!onlyFailed || this.#kv.get("failed") !== undefined) this.#kv.delete("failed");
          this.#source = undefined;
        } else if (includeTasks && c.target !== "STOPPED") {
          for (let i = 0; i < c.tasks; i++) {
            const host = memberHostObject(this.env, hostName(c, i));
            if (onlyFailed && !unwrap(await host.status()).failed) continue;
            unwrap(await host.restart());
          }
        }
        return unwrap(await this.status());
      });
    }

    async restartTask(task: number): Promise<Result<null>> {
      return rpc(async () => {
        const c = this.#stored();
        if (
          !Number.isInteger(task) ||
          task < 0 ||
          task >= (c.type === "source" ? 1 : c.tasks) ||
          c.target === "STOPPED"
        ) {
          throw new EdgelogError("UNKNOWN_CONNECTOR_TASK", `connector ${c.name} has no task ${task}`);
        }
        if (c.type === "source") this.#kv.delete("failed");
        else unwrap(await memberHostObject(this.env, hostName(c, task)).restart());
        return null;
      });
    }

    /** Stops every task and forgets the connector; returns it (the router revokes its token). */
    async destroy(): Promise<Result<StoredConnector>> {
      return rpc(async () => {
        const c = this.#stored();
        await this.#reconcile({ ...c, target: "STOPPED" }, c.tasks);
        await this.ctx.storage.deleteAll();
        this.#source = undefined;
        return c;
      });
    }

    async sourceOffsets(): Promise<Result<SourceOffset[]>> {
      return rpc(async () => {
        return this.#task(this.#stored()).task.offsets();
      });
    }

    /** KIP-875 alter (`entries`) or reset (null) of a stopped source's offsets. */
    async changeSourceOffsets(entries: SourceOffset[] | null): Promise<Result<null>> {
      return rpc(async () => {
        const c = this.#stored();
        if (c.target !== "STOPPED")
          throw new EdgelogError(
            "CONNECTOR_NOT_STOPPED",
            `connector ${c.name} must be in the STOPPED state to change its offsets`,
          );
        const { task } = this.#task(c);
        if (entries === null) task.reset();
        else task.alter(entries);
        return null;
      });
    }

    /** A webhook request for an http-source: authenticated by signature or token, written, its delivery remembered. */
    async ingest(
      req: { body: Uint8Array; headers: Record<string, string> },
      caller: IngestCaller,
    ): Promise<Result<Written>> {
      return rpc(async () => {
        // Without any credential nothing is told, not even whether the connector exists.
        const known = this.#kv.get("connector");
        if (!known && caller.grants === null)
          throw new EdgelogError("UNAUTHENTICATED", "send a bearer token or a signed body");
        const c = this.#stored();
        if (this.#validated(c).plugin.class !== "http-source")
          throw new EdgelogError(
            "INVALID_REQUEST",
            `connector ${c.name} is not an http-source; it takes no webhook requests`,
          );
        const { task, connector } = this.#task(c);
        const values = connector.values;
        const topic = String(values.topic);
        const signed =
          values["hmac.secret"] !== null && req.headers[String(values["hmac.header"]).toLowerCase()] !== undefined;
        if (signed) {
          if (!(await signatureValid(values, req)))
            throw new EdgelogError(
              "UNAUTHENTICATED",
              `the ${String(values["hmac.header"])} signature does not match the body`,
            );
        } else if (caller.grants === null) {
          throw new EdgelogError(
            "UNAUTHENTICATED",
            `send a bearer token that may produce to ${topic}${values["hmac.secret"] !== null ? `, or sign the body (${String(values["hmac.header"])})` : ""}`,
          );
        } else if (!allows(caller.grants, { kind: "topic", name: topic }, "produce")) {
          throw new EdgelogError(
            "TOPIC_AUTHORIZATION_FAILED",
            `token ${JSON.stringify(caller.name)} may not produce topic:${topic}`,
          );
        }
        this.#requireRunning(c);
        const id = req.headers[String(values["idempotency.header"]).toLowerCase()] ?? null;
        if (id === null) return await this.#write(task, ingestRecords(values, req, Date.now()), null);
        return await this.#deliveries.run(
          id,
          async () => task.delivered(id) ?? (await this.#write(task, ingestRecords(values, req, Date.now()), id)),
        );
      });
    }

    /** A queue batch for a queues-source: the ids written (to ack); the rest are retried by the queue. */
    async deliver(messages: QueueMessageIn[]): Promise<Result<{ written: string[] }>> {
      return rpc(async () => {
        const c = this.#stored();
        this.#requireRunning(c);
        const { task, connector } = this.#task(c);
        const values = connector.values;
        const written: string[] = [];
        for (const m of messages) {
          await this.#deliveries.run(m.id, async () => {
            if (task.delivered(m.id)) return;
            const records = ingestRecords(
              { ...values, "ingest.split": "none", "headers.forward": [], "key.header": null },
              {
                body: new TextEncoder().encode(JSON.stringify(m.body ?? null)),
                headers: { "content-type": "application/json" },
              },
              m.timestamp,
            ).map((r): ConnectRecord => ({ ...r, headers: [{ key: "queue.message.id", value: m.id }] }));
            await this.#write(task, records, m.id);
          });
          written.push(m.id);
        }
        return { written };
      });
    }

    async #write(task: SourceTask, records: ConnectRecord[], id: string | null): Promise<Written> {
      try {
        return await task.write(records, id);
      } catch (e) {
        // Bad input is the sender's to fix; a write that cannot succeed (errors.tolerance=none) fails the task.
        if (e instanceof EdgelogError && (e.code === "INVALID_RECORD" || e.retriable)) throw e;
        if (e instanceof Error && e.name === "RetriableException")
          throw new EdgelogError("LEADER_NOT_AVAILABLE", `writing failed, retry: ${errorMessage(e)}`);
        // A task replaced by a newer one (its transaction aborted by the newer one's init): the newer one writes.
        if (e instanceof EdgelogError && e.code === "PRODUCER_FENCED")
          throw new EdgelogError("LEADER_NOT_AVAILABLE", `${e.message}; nothing was written, retry`);
        const c = this.#stored();
        if (this.#validated(c).errors.tolerance === "none") this.#kv.put("failed", stackTrace(e));
        throw e instanceof EdgelogError ? e : new EdgelogError("UNKNOWN_SERVER_ERROR", errorMessage(e));
      }
    }

    #requireRunning(c: StoredConnector): void {
      const failed = this.#kv.get("failed");
      if (c.target !== "STARTED" || failed !== undefined) {
        const why =
          failed !== undefined && c.target === "STARTED" ? "FAILED" : c.target === "PAUSED" ? "PAUSED" : "STOPPED";
        throw new EdgelogError("CONNECTOR_NOT_RUNNING", `connector ${c.name} is ${why}`);
      }
    }

    #validated(c: StoredConnector): ValidatedConnector {
      const v = validateConnector(c.config, deploymentFacts(this.env));
      if (!v.connector)
        throw new EdgelogError(
          "INVALID_CONFIG",
          `connector ${c.name}'s config is no longer valid here: ${JSON.stringify(v.errors)}`,
        );
      return v.connector;
    }

    #task(c: StoredConnector): { task: SourceTask; connector: ValidatedConnector } {
      const connector = this.#validated(c);
      if (!this.#source) {
        const http = new Transport({
          url: INTERNAL_URL,
          token: c.token ?? undefined,
          fetch: inProcessFetch(router, this.env, this.ctx),
        });
        const topic = String(connector.values.topic);
        this.#source = new SourceTask(
          this.ctx.storage.sql,
          http,
          connector,
          { [c.type === "source" ? connector.plugin.class : "sink"]: c.name },
          connector.exactlyOnce
            ? { transactionalId: taskTransactionalId(c.name), group: sinkGroup(c.name), topic }
            : undefined,
        );
      }
      return { task: this.#source, connector };
    }

    /** Brings sink task hosts in line with the record: started with the current spec, or stopped. */
    async #reconcile(c: StoredConnector, previousTasks: number): Promise<void> {
      if (c.type !== "sink") return;
      const calls: Promise<unknown>[] = [];
      for (let i = 0; i < Math.max(c.tasks, previousTasks); i++) {
        const host = memberHostObject(this.env, hostName(c, i));
        if (c.target === "STOPPED" || i >= c.tasks) calls.push(host.stop().then(unwrap));
        else calls.push(host.start(taskSpec(c, i)).then(unwrap));
      }
      await Promise.all(calls);
    }
  };
}

export type ConnectorDO = InstanceType<ReturnType<typeof connectorClass>>;
