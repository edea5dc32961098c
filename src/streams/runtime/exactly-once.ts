// exactly_once (Kafka Streams' EOS over transactions, issue 16): a transactional producer per task,
// whose transactional.id is `<applicationId>-<taskId>` so that whoever takes a task next fences its
// previous owner; one transaction per task per commit interval holds the task's outputs, changelog
// writes and input offsets (sendOffsets with the member's id and epoch, KIP-447).

import type { Edgelog } from "../../client/index.js";
import type { Producer, RecordMetadata } from "../../client/producer.js";
import type { Transaction } from "../../client/transaction.js";
import type { CommitOffsets, GroupMetadata } from "../../host/runner.js";
import type { OutputSession, TaskOffsets } from "./guarantee.js";
import type { OutgoingRecord } from "./task.js";

/** Kafka Streams' transaction.timeout.ms under EOS is 10 s; a shared, loaded machine needs slack. */
export const EOS_TRANSACTION_TIMEOUT_MS = 30_000;

interface Queued {
  record: OutgoingRecord;
  onAck?: (offset: number) => void;
}

/** One task's transactional producer and what its open transaction holds. */
interface TaskProducer {
  producer: Producer;
  txn?: Transaction;
  /** Records queued since the last pump, per topic, in order. */
  queued: Map<string, Queued[]>;
  inFlight: Set<Promise<unknown>>;
  /** The first failed write of the open transaction: it can only abort. */
  failure?: unknown;
}

/** The transactional.id of a task (EOS v1's naming in Kafka Streams: `<application.id>-<taskId>`). */
export function taskTransactionalId(applicationId: string, taskId: string): string {
  return `${applicationId}-${taskId}`;
}

export class ExactlyOnceSession implements OutputSession {
  /** Inputs (repartition topics written by other tasks' transactions) are read committed only. */
  readonly isolationLevel = "read_committed";
  readonly #tasks = new Map<string, TaskProducer>();

  constructor(
    private readonly client: Edgelog,
    private readonly applicationId: string,
    private readonly maxInFlightBytes = 16 * 1024 * 1024,
    private readonly transactionTimeoutMs = EOS_TRANSACTION_TIMEOUT_MS,
  ) {}

  #task(taskId: string): TaskProducer {
    let t = this.#tasks.get(taskId);
    if (!t) {
      const producer = this.client.producer({
        format: "binary",
        maxBufferedBytes: 4 * this.maxInFlightBytes,
        transactionalId: taskTransactionalId(this.applicationId, taskId),
        transactionTimeoutMs: this.transactionTimeoutMs,
      });
      t = { producer, queued: new Map(), inFlight: new Set() };
      this.#tasks.set(taskId, t);
    }
    return t;
  }

  /**
   * Takes the tasks' transactional ids (initTransactions): a previous owner (a zombie, or this
   * instance before a crash) is fenced and its open transaction aborted before anything is read.
   */
  async claim(taskIds: string[]): Promise<void> {
    await Promise.all(
      taskIds.map(async (id) => {
        // A fresh producer: a fenced or failed one may still believe a transaction is open.
        this.#tasks.delete(id);
        await this.#task(id).producer.initTransactions();
      }),
    );
  }

  hasOpenTransactions(): boolean {
    return [...this.#tasks.values()].some((t) => t.txn !== undefined || t.queued.size > 0);
  }

  send(taskId: string, record: OutgoingRecord, onAck?: (offset: number) => void): void {
    const q = this.#task(taskId).queued;
    (q.get(record.topic) ?? q.set(record.topic, []).get(record.topic)!).push({ record, onAck });
  }

  async pump(): Promise<void> {
    let buffered = 0;
    for (const t of this.#tasks.values()) {
      if (t.queued.size > 0) await this.#pumpTask(t);
      buffered += t.producer.bufferedBytes;
    }
    if (buffered > this.maxInFlightBytes) await Promise.all([...this.#tasks.values()].map((t) => this.#flush(t)));
  }

  async #pumpTask(t: TaskProducer): Promise<void> {
    const queued = t.queued;
    t.queued = new Map();
    if (t.failure !== undefined) return; // doomed: the commit aborts it
    try {
      t.txn ??= await t.producer.transaction();
    } catch (e) {
      t.failure = e;
      return;
    }
    for (const [topic, list] of queued) {
      // One send per topic keeps each partition's records in order (the producer queues them synchronously).
      const p = t.txn
        .send(
          topic,
          list.map(({ record: r }) => wire(r)),
        )
        .then((metas: RecordMetadata[]) => metas.forEach((m, i) => list[i]!.onAck?.(m.offset)))
        .catch((e: unknown) => {
          t.failure ??= e;
        });
      t.inFlight.add(p);
      void p.finally(() => t.inFlight.delete(p));
    }
  }

  async #flush(t: TaskProducer): Promise<void> {
    await t.producer.flush();
    await Promise.all([...t.inFlight]);
  }

  /**
   * Commits each task's transaction with its input offsets, all tasks at once. A task whose
   * commit fails is aborted, and the first failure is thrown: the runner then rewinds.
   */
  async commit(offsets: TaskOffsets[], commitOffsets: CommitOffsets, group: GroupMetadata): Promise<void> {
    await this.pump();
    const byTask = new Map<string, TaskOffsets[]>();
    const taskless: TaskOffsets[] = [];
    for (const o of offsets) {
      if (o.taskId === undefined) taskless.push(o);
      else (byTask.get(o.taskId) ?? byTask.set(o.taskId, []).get(o.taskId)!).push(o);
    }
    // A partition whose task has not started produced nothing: its position commits on its own.
    await commitOffsets(taskless.map(({ taskId: _, ...o }) => o));
    const ids = new Set([...byTask.keys(), ...[...this.#tasks].filter(([, t]) => t.txn).map(([id]) => id)]);
    const results = await Promise.allSettled([...ids].map((id) => this.#commitTask(id, byTask.get(id) ?? [], group)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason;
  }

  async #commitTask(id: string, offsets: TaskOffsets[], group: GroupMetadata): Promise<void> {
    const t = this.#task(id);
    try {
      t.txn ??= await t.producer.transaction();
      await this.#flush(t);
      if (t.failure !== undefined) throw t.failure;
      if (offsets.length > 0) {
        await t.txn.sendOffsets({
          consumer: { groupMetadata: () => group },
          topics: [...new Set(offsets.map((o) => o.topic))].map((topic) => ({
            topic,
            partitions: offsets
              .filter((o) => o.topic === topic)
              .map((o) => ({ partition: o.partition, offset: o.offset, metadata: o.metadata ?? null })),
          })),
        });
      }
      await t.txn.commit();
      t.txn = undefined;
    } catch (e) {
      await this.#abort(id);
      throw e;
    }
  }

  /** Aborts a task's open transaction (best effort) and forgets its producer: a new one claims it again. */
  async #abort(id: string): Promise<void> {
    const t = this.#tasks.get(id);
    if (!t) return;
    this.#tasks.delete(id);
    t.queued.clear();
    // The coordinator aborts it anyway: on the next owner's init, or at the transaction timeout.
    if (t.txn?.isActive()) await t.txn.abort().catch(() => undefined);
  }

  async abandon(taskIds: string[]): Promise<void> {
    await Promise.all(taskIds.map((id) => this.#abort(id)));
  }

  /** After the final commit nothing is open; a transaction that is (a failure on the way) aborts. */
  async close(): Promise<void> {
    await Promise.all([...this.#tasks.keys()].map((id) => this.#abort(id)));
  }
}

function wire(r: OutgoingRecord) {
  return {
    key: r.key,
    value: r.value,
    headers: r.headers,
    timestamp: r.timestamp,
    ...(r.partition !== undefined ? { partition: r.partition } : {}),
  };
}
