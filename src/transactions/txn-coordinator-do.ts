// TxnCoordinatorDO: one transactional id's coordinator (Kafka's transaction coordinator), one
// object per id so no shard is hot. A thin adapter over the state machine (state.ts): it persists
// each step, writes markers to the participants, and drives timeouts and marker retries by alarm.

import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.js";
import type { EndTxnReply, InitTransactionReply, TransactionDescription } from "../protocol/api.js";
import { TRANSACTION_DEFAULT_TIMEOUT_MS } from "../protocol/constants.js";
import { EdgelogError, unwrap, type Result } from "../protocol/errors.js";
import { rpc } from "../contracts/rpc.js";
import type {
  InitTxnRequest,
  TxnCoordinatorRpc,
  TxnMarker,
  TxnParticipant,
  TxnProducer,
  TxnSummary,
} from "../contracts/transactions.js";
import { clusterObject, coordinatorObject } from "../objects.js";
import { markPartition } from "./markers.js";
import { txnCoordinatorKv, type TxnCoordinatorKeys } from "./keys.js";
import type { TypedKv } from "../util/kv.js";
import {
  add,
  checkTimeout,
  deadline,
  end,
  endNeedsProducerId,
  expired,
  init,
  initNeedsProducerId,
  join,
  markerWritten,
  nextProducer,
  participantKey,
  pendingParticipants,
  timeOut,
  type TxnMeta,
} from "./state.js";

/** How long init and end wait for markers before answering (end: complete false; init: CONCURRENT_TRANSACTIONS). */
const MARKER_WAIT_MS = 5_000;
/** Marker retries back off from this to MARKER_RETRY_MAX_MS while a participant does not answer. */
const MARKER_RETRY_MS = 500;
const MARKER_RETRY_MAX_MS = 30_000;

const isPreparing = (m: TxnMeta | undefined) => m?.state === "PrepareCommit" || m?.state === "PrepareAbort";

export class TxnCoordinatorDO extends DurableObject<Env> implements TxnCoordinatorRpc {
  readonly #kv: TypedKv<TxnCoordinatorKeys>;
  #alarmAt: number | null = null;
  /** The markers being written now: concurrent ends, inits and alarms share one round. */
  #completing?: Promise<void>;
  #retries = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#kv = txnCoordinatorKv(ctx.storage);
    void ctx.blockConcurrencyWhile(async () => {
      this.#alarmAt = await ctx.storage.getAlarm();
    });
  }

  async init(transactionalId: string, req: InitTxnRequest): Promise<Result<InitTransactionReply>> {
    return rpc(async () => {
      checkTimeout(req.timeoutMs ?? this.#meta()?.timeoutMs ?? TRANSACTION_DEFAULT_TIMEOUT_MS);
      const producer = req.producer;
      for (let round = 0; round < 3; round++) {
        let meta = this.#meta();
        let fresh: number | undefined;
        if (initNeedsProducerId(meta)) {
          fresh = await this.#newProducerId(transactionalId);
          meta = this.#meta();
        }
        const o = init(meta, transactionalId, { ...req, producer }, Date.now(), fresh);
        this.#save(o.meta);
        if (o.kind === "ready") {
          await this.#register(transactionalId);
          await this.#schedule();
          return {
            transactional_id: transactionalId,
            producer: { id: String(o.meta.producerId), epoch: o.meta.producerEpoch },
            version: o.meta.version,
            transaction_timeout_ms: o.meta.timeoutMs,
          };
        }
        // The previous holder's transaction (aborted by this init, or still completing) ends first.
        await this.#complete(MARKER_WAIT_MS);
        if (isPreparing(this.#meta())) break;
      }
      await this.#schedule();
      throw new EdgelogError(
        "CONCURRENT_TRANSACTIONS",
        `transactional id ${transactionalId}: the previous transaction's markers are still being written`,
      );
    });
  }

  async add(transactionalId: string, producer: TxnProducer, participants: TxnParticipant[]): Promise<Result<null>> {
    return rpc(async () => {
      const meta = this.#must(transactionalId);
      const r = add(meta, producer, participants, Date.now());
      if (r.meta !== meta) this.#save(r.meta);
      await this.#schedule();
      return null;
    });
  }

  async join(
    transactionalId: string,
    producer: TxnProducer,
    participant: TxnParticipant,
  ): Promise<Result<{ txnSeq: number }>> {
    return rpc(async () => {
      const meta = this.#must(transactionalId);
      const r = join(meta, producer, participant, Date.now());
      if (r.meta !== meta) {
        this.#save(r.meta);
        await this.#schedule();
      }
      return { txnSeq: r.txnSeq };
    });
  }

  async end(transactionalId: string, producer: TxnProducer, result: "commit" | "abort"): Promise<Result<EndTxnReply>> {
    return rpc(async () => {
      let meta = this.#must(transactionalId);
      let fresh: number | undefined;
      if (endNeedsProducerId(meta)) {
        fresh = await this.#newProducerId(transactionalId);
        meta = this.#must(transactionalId);
      }
      const e = end(meta, producer, result, Date.now(), fresh);
      // The decision is durable before any participant hears of it: from here the outcome holds.
      if (e.meta !== meta) this.#save(e.meta);
      if (isPreparing(this.#meta())) await this.#complete(MARKER_WAIT_MS);
      await this.#schedule();
      return {
        transactional_id: transactionalId,
        result: e.reply.result,
        producer: { id: String(e.reply.producer.id), epoch: e.reply.producer.epoch },
        complete: !isPreparing(this.#meta()),
      };
    });
  }

  async describe(transactionalId: string): Promise<Result<TransactionDescription>> {
    return rpc(() => {
      const m = this.#must(transactionalId);
      const topics = new Map<string, number[]>();
      for (const p of m.participants) {
        if (p.kind === "partition") (topics.get(p.topic) ?? topics.set(p.topic, []).get(p.topic)!).push(p.partition);
      }
      const current = nextProducer(m);
      return {
        transactional_id: transactionalId,
        state: m.state,
        producer: { id: String(current.id), epoch: current.epoch },
        version: m.version,
        transaction_timeout_ms: m.timeoutMs,
        transaction_start_ms: m.state === "Ongoing" || isPreparing(m) ? m.startMs : null,
        last_update_ms: m.lastUpdateMs,
        topics: [...topics].map(([topic, partitions]) => ({ topic, partitions: partitions.sort((a, b) => a - b) })),
        groups: m.participants.flatMap((p) => (p.kind === "group" ? [p.group] : [])),
        pending_markers: m.pending.length,
      };
    });
  }

  async summary(transactionalId: string): Promise<Result<TxnSummary | null>> {
    return rpc(() => {
      const m = this.#meta();
      return m ? { transactional_id: transactionalId, state: m.state, producer_id: String(nextProducer(m).id) } : null;
    });
  }

  /** Timeouts (abort and fence), marker retries, and the id's expiry. */
  override async alarm(): Promise<void> {
    this.#alarmAt = null;
    let meta = this.#meta();
    if (!meta) return;
    const now = Date.now();
    if (expired(meta, now)) {
      // Kafka's transactional.id.expiration.ms: the id starts afresh at its next init.
      this.#kv.delete("meta");
      this.#kv.delete("registered");
      unwrap(await clusterObject(this.env).forgetTransaction(meta.transactionalId));
      return;
    }
    const timedOut = timeOut(meta, now);
    if (timedOut) {
      this.#save(timedOut);
      meta = timedOut;
    }
    if (isPreparing(meta)) await this.#complete(MARKER_RETRY_MAX_MS);
    await this.#schedule();
  }

  #meta(): TxnMeta | undefined {
    return this.#kv.get("meta");
  }

  #must(transactionalId: string): TxnMeta {
    const m = this.#meta();
    if (!m) {
      throw new EdgelogError("TRANSACTIONAL_ID_NOT_FOUND", `transactional id ${transactionalId} was never initialised`);
    }
    return m;
  }

  #save(m: TxnMeta): void {
    this.#kv.put("meta", m);
  }

  /** A producer id from the controller, owned by the transactional id (its grants decide who may use it). */
  async #newProducerId(transactionalId: string): Promise<number> {
    const { id } = unwrap(await clusterObject(this.env).initProducer(undefined, `txn:${transactionalId}`));
    return Number(id);
  }

  async #register(transactionalId: string): Promise<void> {
    if (this.#kv.get("registered")) return;
    unwrap(await clusterObject(this.env).registerTransaction(transactionalId));
    this.#kv.put("registered", true);
  }

  /** Writes the decided outcome to every participant still pending, waiting at most `boundMs` for them. */
  #complete(boundMs: number): Promise<void> {
    this.#completing ??= this.#markers().finally(() => {
      this.#completing = undefined;
    });
    return Promise.race([this.#completing, scheduler.wait(boundMs)]);
  }

  async #markers(): Promise<void> {
    const meta = this.#meta();
    if (!meta || !isPreparing(meta)) return;
    const marker: TxnMarker = {
      transactionalId: meta.transactionalId,
      producerId: meta.markerProducerId,
      producerEpoch: meta.markerEpoch,
      txnSeq: meta.txnSeq,
      result: meta.state === "PrepareCommit" ? "commit" : "abort",
    };
    const told = await Promise.all(
      pendingParticipants(meta).map(async (p) => {
        try {
          await this.#tell(p, marker);
          // Each participant's acknowledgement is recorded at once: a crash resends only the rest.
          this.#save(markerWritten(this.#meta()!, participantKey(p), Date.now()));
          return true;
        } catch (e) {
          console.warn(`edgelog: transactional id ${meta.transactionalId}: marker to ${participantKey(p)} failed`, e);
          return false;
        }
      }),
    );
    this.#retries = told.every(Boolean) ? 0 : this.#retries + 1;
  }

  /** One marker to one participant; a deleted topic has nothing left to mark. */
  async #tell(p: TxnParticipant, marker: TxnMarker): Promise<void> {
    if (p.kind === "group") {
      unwrap(await coordinatorObject(this.env, p.group).completeTxn(p.group, marker));
      return;
    }
    await markPartition(this.env, p, marker);
  }

  /** One alarm at the next thing due: a marker retry, the open transaction's timeout, or the id's expiry. */
  async #schedule(): Promise<void> {
    const meta = this.#meta();
    if (!meta) return;
    const next = isPreparing(meta)
      ? Date.now() + Math.min(MARKER_RETRY_MS * 2 ** this.#retries, MARKER_RETRY_MAX_MS)
      : deadline(meta);
    if (next === null) return;
    if (this.#alarmAt === null || next < this.#alarmAt) {
      await this.ctx.storage.setAlarm(next);
      this.#alarmAt = next;
    }
  }
}
