// A sink task's dead letter queue written exactly once (errors.deadletterqueue.exactly.once): DLQ
// records go into a transaction of the task's transactional id, and the task's next offset commit
// is made inside that transaction (KIP-447: fenced by the member's id and epoch), so a crash
// before the commit aborts them and the records are sent to the DLQ again, once, on reprocessing.

import { Instrumentation } from "../../client/instrumentation.js";
import { TopicMetadata } from "../../client/metadata.js";
import { Producer } from "../../client/producer.js";
import type { Transaction } from "../../client/transaction.js";
import type { Transport } from "../../client/transport.js";
import type { CommitOffsets, GroupMetadata, PartitionOffset } from "../../host/runner.js";
import type { Errant } from "../errors.js";
import { dlqRecords, toMessage } from "./produce.js";

export class TransactionalDlq {
  readonly #producer: Producer;
  #txn?: Transaction;

  constructor(
    http: Transport,
    readonly transactionalId: string,
    private readonly topic: string,
    private readonly contextHeaders: boolean,
  ) {
    this.#producer = new Producer(http, new Instrumentation(), new TopicMetadata(http), {
      // Kafka's default transaction.timeout.ms (60 s): a task whose commit waits longer on its system
      // has its transaction aborted by the coordinator, and reprocesses (its commit answers "rewind").
      transactionalId,
      format: "binary",
      lingerMs: 0,
    });
  }

  /** Takes the transactional id: an older task's open transaction (its DLQ records) is aborted. */
  async init(): Promise<void> {
    await this.#producer.initTransactions();
  }

  /** Whether DLQ records wait for the next commit. */
  get open(): boolean {
    return this.#txn !== undefined;
  }

  async write(entries: Errant[]): Promise<void> {
    this.#txn ??= await this.#producer.transaction();
    await this.#txn.send(this.topic, dlqRecords(entries, this.contextHeaders).map(toMessage));
  }

  /**
   * Commits `offsets`: inside the open transaction with the DLQ records it holds (then committed
   * together), or with `plain` when there is none. A failure aborts the transaction and is thrown:
   * the records since the last commit are processed again.
   */
  async commit(offsets: PartitionOffset[], group: GroupMetadata, plain: CommitOffsets): Promise<void> {
    const txn = this.#txn;
    if (!txn) return plain(offsets);
    this.#txn = undefined;
    try {
      await txn.sendOffsets({
        consumer: { groupMetadata: () => group },
        topics: byTopic(offsets),
      });
      await txn.commit();
    } catch (e) {
      await txn.abort().catch(() => undefined);
      throw e;
    }
  }

  /** Drops the open transaction (its partitions were lost): their next owner sends their records again. */
  async abort(): Promise<void> {
    const txn = this.#txn;
    this.#txn = undefined;
    await txn?.abort().catch(() => undefined);
  }
}

function byTopic(offsets: PartitionOffset[]) {
  const topics = new Map<string, { partition: number; offset: number; metadata?: string | null }[]>();
  for (const o of offsets) {
    const list = topics.get(o.topic) ?? topics.set(o.topic, []).get(o.topic)!;
    list.push({ partition: o.partition, offset: o.offset, metadata: o.metadata });
  }
  return [...topics].map(([topic, partitions]) => ({ topic, partitions }));
}
