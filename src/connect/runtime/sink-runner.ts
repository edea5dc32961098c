// A sink connector's task as the member host runs it: each fetched batch is converted, transformed
// and handed to the sink; failures are retried, tolerated into the DLQ or fail the task, as the
// errors.* settings say; a commit delivers what the sink buffered before offsets are committed (with
// errors.deadletterqueue.exactly.once, inside the transaction holding the DLQ records since the last).

import type {
  AssignedPartition,
  CommitOffsets,
  CommitOutcome,
  GroupMetadata,
  MemberBatch,
  MemberRecord,
  MemberRunner,
  PartitionOffset,
  TopicPartition,
} from "../../host/runner.js";
import type { ValidatedConnector } from "../connector-config.js";
import { converter } from "../converters.js";
import { type Errant, type FailureContext, type Stage, tolerate, withRetries } from "../errors.js";
import type { ConnectHeader, ConnectRecord, Data } from "../record.js";
import { EdgelogError } from "../../protocol/errors.js";
import type { SinkRecord, SinkTask } from "../sinks/task.js";
import type { TransactionalDlq } from "./dlq-transaction.js";

/** Produces failed records to the dead letter queue (the original bytes, with context headers when asked). */
export type DlqWriter = (entries: Errant[]) => Promise<void>;

export interface SinkRunnerOptions {
  connector: ValidatedConnector;
  taskId: number;
  sink: SinkTask;
  dlq: DlqWriter;
  /** errors.deadletterqueue.exactly.once: DLQ records and offset commits share a transaction. */
  transactionalDlq?: TransactionalDlq;
  paused: boolean;
  sleep: (ms: number) => Promise<void>;
}

/** Commit failures the member handles (fenced in the group), and a newer task holding the transactional id. */
const FENCED = new Set(["UNKNOWN_MEMBER_ID", "FENCED_MEMBER_EPOCH", "PARTITION_NOT_OWNED", "PRODUCER_FENCED"]);

function headersOf(r: MemberRecord): ConnectHeader[] {
  return Object.entries(r.headers).map(([key, value]) => ({ key, value }));
}

export class SinkRunner implements MemberRunner {
  readonly #o: SinkRunnerOptions;
  readonly #keyConverter;
  readonly #valueConverter;

  constructor(opts: SinkRunnerOptions) {
    this.#o = opts;
    this.#keyConverter = converter(String(opts.connector.values["key.converter"]))!;
    this.#valueConverter = converter(String(opts.connector.values["value.converter"]))!;
  }

  async assigned(_partitions: AssignedPartition[]): Promise<void> {}

  async process(batch: MemberBatch): Promise<void> {
    const out: SinkRecord[] = [];
    const errant: Errant[] = [];
    for (const r of batch.records) {
      const position = { topic: batch.topic, partition: batch.partition, offset: r.offset };
      const raw = { key: r.key, value: r.value, headers: headersOf(r), timestamp: r.timestamp };
      const base: ConnectRecord = {
        topic: batch.topic,
        partition: batch.partition,
        key: null,
        value: null,
        timestamp: r.timestamp,
        headers: raw.headers,
        original: position,
      };
      let stage: Stage = "KEY_CONVERTER";
      let className = String(this.#o.connector.values["key.converter"]);
      try {
        const key: Data = this.#keyConverter.toConnect(r.key);
        stage = "VALUE_CONVERTER";
        className = String(this.#o.connector.values["value.converter"]);
        const value: Data = this.#valueConverter.toConnect(r.value);
        stage = "TRANSFORMATION";
        className = "transforms";
        const transformed = this.#o.connector.chain.apply({ ...base, key, value });
        if (transformed) out.push({ ...transformed, original: position, raw });
      } catch (error) {
        const e = this.#errant(base, raw, { stage, className, error, position });
        if (e) errant.push(e);
      }
    }
    if (errant.length > 0) await this.#toDlq(errant);
    if (out.length > 0) await this.#o.sink.put(out);
  }

  async commit(offsets: PartitionOffset[], commitOffsets: CommitOffsets, group: GroupMetadata): Promise<CommitOutcome> {
    const txn = this.#o.transactionalDlq;
    if (!txn) {
      const done = await this.#o.sink.flush(offsets, commitOffsets);
      if (Array.isArray(done)) return done;
      return commitOffsets(offsets);
    }
    // Every partition holding DLQ records moved, so `offsets` covers them all (r2-sink, which commits
    // part of them itself, is refused this mode by validation).
    await this.#o.sink.flush(offsets, commitOffsets);
    try {
      await txn.commit(offsets, group, commitOffsets);
    } catch (e) {
      // Fenced: the member drops its partitions and rejoins. Otherwise the DLQ records were aborted:
      // everything since the last commit is processed (and delivered) again.
      if (e instanceof EdgelogError && FENCED.has(e.code)) throw e;
      return "rewind";
    }
  }

  async claim(_partitions: TopicPartition[]): Promise<void> {
    // A task taking partitions fences its previous incarnation, aborting the DLQ records it left open.
    if (this.#o.transactionalDlq && !this.#o.transactionalDlq.open) await this.#o.transactionalDlq.init();
  }

  async revoked(partitions: TopicPartition[], lost: boolean): Promise<void> {
    this.#o.sink.close?.(partitions);
    if (lost) await this.#o.transactionalDlq?.abort();
  }

  fetchable(): boolean {
    return !this.#o.paused;
  }

  commitDue(): boolean {
    return this.#o.sink.commitDue?.() ?? false;
  }

  /** The sink's errant-record reporter (Kafka's ErrantRecordReporter): TASK_PUT failures. */
  readonly report = async (record: SinkRecord, error: unknown): Promise<void> => {
    const e = this.#errant(record, record.raw, {
      stage: "TASK_PUT",
      className: this.#o.connector.plugin.class,
      error,
      position: record.original,
    });
    if (e) await this.#toDlq([e]);
  };

  #errant(
    record: ConnectRecord,
    raw: SinkRecord["raw"],
    ctx: Omit<FailureContext, "connector" | "task">,
  ): Errant | null {
    return tolerate(this.#o.connector.errors, {
      record,
      raw,
      context: { ...ctx, connector: this.#o.connector.name, task: this.#o.taskId },
    });
  }

  /** Producing to the DLQ is KAFKA_PRODUCE: retried within errors.retry.timeout, then a failure. */
  async #toDlq(entries: Errant[]): Promise<void> {
    const txn = this.#o.transactionalDlq;
    if (txn) return txn.write(entries);
    await withRetries(() => this.#o.dlq(entries), this.#o.connector.errors, this.#o.sleep);
  }
}
