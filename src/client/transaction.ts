// Transactions in the SDK (docs/transactions.md): a transactional producer's identity, its one
// open transaction, and the kafkajs-shaped Transaction handle (send, sendOffsets, commit, abort).

import type { EndTxnReply, InitTransactionReply } from "../protocol/api.js";
import { EdgelogError } from "../protocol/errors.js";
import type { Message, RecordMetadata } from "./messages.js";
import type { Transport } from "./transport.js";

/** The producer id and epoch in use, and the next base sequence per topic partition under them. */
export interface TxnIdentity {
  id: string;
  epoch: number;
  sequences: Map<string, number>;
}

/** What sendOffsets commits: Kafka's (and kafkajs's) shape, offsets as the next one to consume. */
export interface TransactionOffsets {
  /** A group member's consumer: its group id, member id and epoch fence the commit (KIP-447). */
  consumer?: { groupMetadata(): GroupMetadata };
  /** Or only the group id (kafkajs's consumerGroupId): accepted only while the group has no members. */
  consumerGroupId?: string;
  topics: { topic: string; partitions: { partition: number; offset: string | number; metadata?: string | null }[] }[];
}

/** Java's ConsumerGroupMetadata: what fences a transactional offset commit. */
export interface GroupMetadata {
  groupId: string;
  memberId: string | null;
  memberEpoch: number;
}

/** The producer side a transaction drives. */
interface Sender {
  send(topic: string, messages: Message | Message[]): Promise<RecordMetadata[]>;
  flush(): Promise<void>;
}

const enc = encodeURIComponent;

/** One transactional id's state in this client: at most one transaction open at a time. */
export class TransactionManager {
  #identity?: TxnIdentity;
  #active?: Transaction;
  /** Version 1: partitions and groups registered in the open transaction. */
  readonly #registered = new Set<string>();
  /** The failure that doomed the open transaction: it can only be aborted. */
  #failed?: unknown;

  constructor(
    private readonly http: Transport,
    readonly transactionalId: string,
    private readonly opts: { timeoutMs?: number; version: 1 | 2 },
  ) {}

  get #base(): string {
    return `/v1/transactions/${enc(this.transactionalId)}`;
  }

  /** Kafka's initTransactions: takes the id, fencing any older instance (and aborting what it left open). */
  async init(): Promise<void> {
    const body: Record<string, unknown> = { version: this.opts.version };
    if (this.opts.timeoutMs !== undefined) body.transaction_timeout_ms = this.opts.timeoutMs;
    const r = await this.http.request<InitTransactionReply>("POST", `${this.#base}/init`, body, { retry: true });
    this.#use(r.producer);
  }

  async begin(sender: Sender): Promise<Transaction> {
    if (this.#active)
      throw new EdgelogError("INVALID_TXN_STATE", "a transaction is already open; commit or abort it first");
    if (!this.#identity) await this.init();
    this.#registered.clear();
    this.#failed = undefined;
    this.#active = new Transaction(this, sender);
    return this.#active;
  }

  get active(): Transaction | undefined {
    return this.#active;
  }

  /** The identity for a write: only inside an open transaction that has not failed. */
  identity(): TxnIdentity {
    if (!this.#active || !this.#identity) {
      throw new EdgelogError(
        "INVALID_TXN_STATE",
        "a transactional producer sends inside a transaction: producer.transaction()",
      );
    }
    if (this.#failed) throw this.#abortable();
    return this.#identity;
  }

  /** Version 1 registers each partition before its first write (version 2 partitions register themselves). */
  async beforeSend(topic: string, partition: number): Promise<void> {
    if (this.opts.version === 2) return;
    const key = `p:${topic}/${partition}`;
    if (this.#registered.has(key)) return;
    const id = this.identity();
    await this.http.request(
      "POST",
      `${this.#base}/partitions`,
      { producer: { id: id.id, epoch: id.epoch }, topics: [{ topic, partitions: [partition] }] },
      { retry: true },
    );
    this.#registered.add(key);
  }

  /** A write of the open transaction failed: it can now only be aborted. */
  fail(e: unknown): void {
    this.#failed ??= e;
  }

  async sendOffsets(o: TransactionOffsets): Promise<void> {
    const id = this.identity();
    const meta = o.consumer?.groupMetadata();
    const group = meta?.groupId ?? o.consumerGroupId;
    if (!group)
      throw new EdgelogError("INVALID_REQUEST", "sendOffsets needs a consumer (in a group) or a consumerGroupId");
    const producer = { id: id.id, epoch: id.epoch };
    try {
      if (this.opts.version === 1 && !this.#registered.has(`g:${group}`)) {
        await this.http.request("POST", `${this.#base}/groups`, { producer, group_id: group }, { retry: true });
        this.#registered.add(`g:${group}`);
      }
      const body: Record<string, unknown> = {
        producer,
        group_id: group,
        offsets: o.topics.flatMap((t) =>
          t.partitions.map((p) => ({
            topic: t.topic,
            partition: p.partition,
            offset: Number(p.offset),
            ...(p.metadata !== undefined ? { metadata: p.metadata } : {}),
          })),
        ),
      };
      if (meta) {
        body.member_id = meta.memberId;
        body.member_epoch = meta.memberEpoch;
      }
      await this.http.request("POST", `${this.#base}/offsets`, body, { retry: true });
    } catch (e) {
      this.fail(e);
      throw e;
    }
  }

  async end(result: "commit" | "abort", sender: Sender): Promise<void> {
    if (!this.#active) throw new EdgelogError("INVALID_TXN_STATE", "no transaction is open");
    if (result === "commit") {
      await sender.flush();
      if (this.#failed) throw this.#abortable();
    } else {
      // Whatever is still queued fails with the transaction; in-flight writes are waited for.
      await sender.flush().catch(() => undefined);
    }
    const id = this.#identity!;
    const r = await this.http.request<EndTxnReply>(
      "POST",
      `${this.#base}/${result}`,
      { producer: { id: id.id, epoch: id.epoch } },
      { retry: true },
    );
    const failed = this.#failed !== undefined;
    this.#active = undefined;
    this.#failed = undefined;
    if (r.producer.id !== id.id || r.producer.epoch !== id.epoch) this.#use(r.producer);
    else if (failed && this.opts.version === 1) {
      // A failed write left this epoch's sequences in doubt: recover (KIP-360) for a fresh epoch.
      const body = { version: 1, producer: { id: id.id, epoch: id.epoch } };
      this.#use(
        (await this.http.request<InitTransactionReply>("POST", `${this.#base}/init`, body, { retry: true })).producer,
      );
    }
  }

  #use(p: { id: string; epoch: number }): void {
    this.#identity = { id: p.id, epoch: p.epoch, sequences: new Map() };
  }

  #abortable(): EdgelogError {
    const cause = this.#failed instanceof Error ? `: ${this.#failed.message}` : "";
    return new EdgelogError("TRANSACTION_ABORTABLE", `a write of this transaction failed${cause}`);
  }
}

/** An open transaction (kafkajs's Transaction): send records and offsets, then commit or abort. */
export class Transaction {
  #done = false;

  constructor(
    private readonly manager: TransactionManager,
    private readonly sender: Sender,
  ) {}

  isActive(): boolean {
    return !this.#done;
  }

  send(topic: string, messages: Message | Message[]): Promise<RecordMetadata[]> {
    this.#open();
    return this.sender.send(topic, messages);
  }

  /** Commits consumed offsets with the transaction (Java's sendOffsetsToTransaction, kafkajs's sendOffsets). */
  sendOffsets(offsets: TransactionOffsets): Promise<void> {
    this.#open();
    return this.manager.sendOffsets(offsets);
  }

  /** Flushes every send, then commits; a failed send makes it throw TRANSACTION_ABORTABLE (abort then). */
  async commit(): Promise<void> {
    this.#open();
    await this.manager.end("commit", this.sender);
    this.#done = true;
  }

  async abort(): Promise<void> {
    this.#open();
    await this.manager.end("abort", this.sender);
    this.#done = true;
  }

  #open(): void {
    if (this.#done) throw new EdgelogError("INVALID_TXN_STATE", "this transaction has ended");
  }
}
