// Processing guarantees: where tasks' output goes and how input offsets are committed with it.
// at_least_once is built here; exactly_once (exactly-once.ts) is a transactional producer per task
// that commits outputs, changelog writes and input offsets atomically, with read_committed inputs.

import type { Edgelog } from "../../client/index.js";
import type { Producer, RecordMetadata } from "../../client/producer.js";
import { EdgelogError } from "../../protocol/errors.js";
import type { CommitOffsets, GroupMetadata, PartitionOffset } from "../../host/runner.js";
import type { OutgoingRecord } from "./task.js";

/**
 * exactly_once_v2 is Kafka 3's name for the same guarantee (Kafka's v2 shares one producer per
 * thread; here each task keeps its own, fenced by its transactional id and by the member's epoch).
 */
export type ProcessingGuarantee = "at_least_once" | "exactly_once" | "exactly_once_v2";

export const PROCESSING_GUARANTEES: readonly ProcessingGuarantee[] = [
  "at_least_once",
  "exactly_once",
  "exactly_once_v2",
];

/** Throws unless the guarantee is one of PROCESSING_GUARANTEES (called where the configuration is read). */
export function checkGuarantee(g: unknown): ProcessingGuarantee {
  if (!PROCESSING_GUARANTEES.includes(g as ProcessingGuarantee)) {
    throw new EdgelogError(
      "INVALID_CONFIG",
      `processingGuarantee ${JSON.stringify(g)} is not one of ${PROCESSING_GUARANTEES.join(", ")}`,
    );
  }
  return g as ProcessingGuarantee;
}

export const isExactlyOnce = (g: ProcessingGuarantee) => g !== "at_least_once";

/** A position to commit, with the task that read it. */
export interface TaskOffsets extends PartitionOffset {
  /** Unset for a held partition whose task has not started (it waits for its other inputs). */
  taskId?: string;
}

/** The output side of a running application: one per instance, serving all its tasks. */
export interface OutputSession {
  /** What input fetches must see: read_committed under exactly_once, so aborted output is never read. */
  readonly isolationLevel: "read_uncommitted" | "read_committed";
  /** Tasks about to start on this instance: exactly_once fences their previous owners' producers. */
  claim?(taskIds: string[]): Promise<void>;
  /** exactly_once: whether a transaction holds output still to commit. */
  hasOpenTransactions?(): boolean;
  /** Queues a task's record (output, repartition or changelog); never waits. */
  send(taskId: string, record: OutgoingRecord, onAck?: (offset: number) => void): void;
  /** Hands queued records to the wire and waits while too much is in flight (back-pressure). */
  pump(): Promise<void>;
  /**
   * Makes everything sent durable, then commits `offsets` (at_least_once: flush, then the group
   * commit; exactly_once: commit each task's transaction with its offsets, fenced by `group`).
   * exactly_once throws when a task's transaction aborted instead.
   */
  commit(offsets: TaskOffsets[], commitOffsets: CommitOffsets, group: GroupMetadata): Promise<void>;
  /**
   * Tasks closed: after their final commit, or without one (lost): exactly_once aborts what they
   * left open; at_least_once has nothing to undo.
   */
  abandon(taskIds: string[]): Promise<void>;
  close(): Promise<void>;
}

/** Kafka's at_least_once: an idempotent producer for all tasks; offsets are committed only after it flushed. */
export class AtLeastOnceSession implements OutputSession {
  readonly isolationLevel = "read_uncommitted";
  readonly #producer: Producer;
  /** Records queued since the last pump, per topic, in order. */
  #queued = new Map<string, { record: OutgoingRecord; onAck?: (offset: number) => void }[]>();
  #failure: unknown;
  #inFlight = new Set<Promise<unknown>>();

  constructor(
    client: Edgelog,
    private readonly maxInFlightBytes = 16 * 1024 * 1024,
  ) {
    this.#producer = client.producer({ format: "binary", maxBufferedBytes: 4 * maxInFlightBytes, idempotent: true });
  }

  send(_taskId: string, record: OutgoingRecord, onAck?: (offset: number) => void): void {
    (this.#queued.get(record.topic) ?? this.#queued.set(record.topic, []).get(record.topic)!).push({ record, onAck });
  }

  async pump(): Promise<void> {
    this.#throwIfFailed();
    const queued = this.#queued;
    this.#queued = new Map();
    for (const [topic, list] of queued) {
      // One send per topic keeps each partition's records in order (the producer queues them synchronously).
      const p = this.#producer
        .send(
          topic,
          list.map(({ record: r }) => ({
            key: r.key,
            value: r.value,
            headers: r.headers,
            timestamp: r.timestamp,
            ...(r.partition !== undefined ? { partition: r.partition } : {}),
          })),
        )
        .then((metas: RecordMetadata[]) => {
          metas.forEach((m, i) => list[i]!.onAck?.(m.offset));
        })
        .catch((e: unknown) => {
          this.#failure ??= e;
        });
      this.#inFlight.add(p);
      void p.finally(() => this.#inFlight.delete(p));
    }
    // Back-pressure below the producer's own bound, so sends never wait (and reorder) inside it.
    if (this.#producer.bufferedBytes > this.maxInFlightBytes) await this.#flush();
  }

  async #flush(): Promise<void> {
    await this.#producer.flush();
    await Promise.all([...this.#inFlight]);
    this.#throwIfFailed();
  }

  #throwIfFailed(): void {
    if (this.#failure !== undefined) {
      const e = this.#failure;
      throw e instanceof EdgelogError
        ? new EdgelogError(e.code, `a task's output could not be written: ${e.message}`)
        : e;
    }
  }

  async commit(offsets: TaskOffsets[], commitOffsets: CommitOffsets): Promise<void> {
    await this.pump();
    await this.#flush();
    await commitOffsets(offsets.map(({ taskId: _, ...o }) => o));
  }

  async abandon(): Promise<void> {
    // Whatever was sent stays written: at-least-once reprocesses from the last commit.
  }

  async close(): Promise<void> {
    await this.pump();
    await this.#flush();
  }
}
