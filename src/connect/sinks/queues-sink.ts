// queues-sink: sends records to a Cloudflare Queue through a producer binding, up to 100 messages
// per sendBatch. A message over the Queues limit (128 KB) is errant: DLQ or FAILED, never sent.

import type { CommitOffsets, PartitionOffset, TopicPartition } from "../../host/runner.js";
import { toJsonable } from "../converters.js";
import { QUEUE_MESSAGE_MAX_BYTES } from "../plugin.js";
import { RetriableException } from "../record.js";
import { envelope, type ErrantReporter, type SinkRecord, type SinkTask } from "./task.js";
import { utf8Encoder } from "../../util/utf8.js";

export interface QueuesSinkDeps {
  queue: Queue;
  batchSize: number;
  format: "envelope" | "value";
  report: ErrantReporter;
}

export class QueuesSink implements SinkTask {
  readonly #d: QueuesSinkDeps;
  #buffer: { record: SinkRecord; body: unknown }[] = [];

  constructor(d: QueuesSinkDeps) {
    this.#d = d;
  }

  async put(records: SinkRecord[]): Promise<void> {
    for (const r of records) {
      const body = this.#d.format === "envelope" ? envelope(r) : toJsonable(r.value);
      const size = utf8Encoder.encode(JSON.stringify(body) ?? "null").byteLength;
      if (size > QUEUE_MESSAGE_MAX_BYTES) {
        await this.#d.report(
          r,
          new Error(`message of ${size} bytes exceeds the Queues limit of ${QUEUE_MESSAGE_MAX_BYTES} bytes`),
        );
        continue;
      }
      this.#buffer.push({ record: r, body });
      if (this.#buffer.length >= this.#d.batchSize) await this.#send();
    }
  }

  async flush(_offsets: PartitionOffset[], _commit: CommitOffsets): Promise<void> {
    while (this.#buffer.length > 0) await this.#send();
  }

  close(_partitions: TopicPartition[]): void {
    this.#buffer = [];
  }

  async #send(): Promise<void> {
    const batch = this.#buffer.slice(0, this.#d.batchSize);
    try {
      await this.#d.queue.sendBatch(batch.map((m) => ({ body: m.body, contentType: "json" as const })));
    } catch (e) {
      // A failed send is retried by the runner's retry policy (the records stay buffered).
      throw new RetriableException(`queue send failed: ${(e as Error).message}`);
    }
    this.#buffer.splice(0, batch.length);
  }
}
