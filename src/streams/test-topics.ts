// The test driver's topics: an input topic pipes records in through its serdes, an output topic
// reads what the topology wrote, in order.

import { EdgelogError } from "../protocol/errors.js";
import type { Headers, RawRecord } from "./records.js";
import { deserializeNullable, serializeNullable, type Serde } from "./serdes.js";
import type { OutgoingRecord } from "./runtime/task.js";

export interface TestRecord<K, V> {
  key: K | null;
  value: V | null;
  timestamp: number;
  headers: Headers;
}

export class TestInputTopic<K, V> {
  #time: number;

  /** @internal */
  constructor(
    readonly topic: string,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
    start: number,
    private readonly autoAdvanceMs: number,
    private readonly pipe: (r: Omit<RawRecord, "offset" | "partition">) => void,
  ) {
    this.#time = start;
  }

  /** One record; its timestamp defaults to the topic's current time (which then auto-advances). */
  pipeInput(key: K | null, value: V | null, timestamp?: number, headers: Headers = {}): void {
    const ts = timestamp ?? this.#time;
    if (timestamp === undefined) this.#time += this.autoAdvanceMs;
    this.pipe({
      topic: this.topic,
      key: serializeNullable(this.keySerde, key, this.topic),
      value: serializeNullable(this.valueSerde, value, this.topic),
      timestamp: ts,
      headers,
    });
  }

  /** Raw bytes, as a producer that does not use this topic's serdes would write them. */
  pipeRawInput(key: Uint8Array | null, value: Uint8Array | null, timestamp = this.#time): void {
    this.pipe({ topic: this.topic, key, value, timestamp, headers: {} });
  }

  pipeValueList(values: (V | null)[]): void {
    for (const v of values) this.pipeInput(null, v);
  }

  pipeKeyValueList(pairs: [K | null, V | null][], startTimestamp?: number, advanceMs = 0): void {
    pairs.forEach(([k, v], i) =>
      this.pipeInput(k, v, startTimestamp === undefined ? undefined : startTimestamp + i * advanceMs),
    );
  }

  advanceTime(ms: number): void {
    this.#time += ms;
  }
}

export class TestOutputTopic<K, V> {
  #read = 0;

  /** @internal */
  constructor(
    readonly topic: string,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
    private readonly records: () => OutgoingRecord[],
  ) {}

  getQueueSize(): number {
    return this.records().length - this.#read;
  }

  isEmpty(): boolean {
    return this.getQueueSize() === 0;
  }

  readRecord(): TestRecord<K, V> {
    const r = this.records()[this.#read];
    if (!r) throw new EdgelogError("INVALID_REQUEST", `no more records in ${this.topic}`);
    this.#read++;
    return {
      key: deserializeNullable(this.keySerde, r.key, this.topic),
      value: deserializeNullable(this.valueSerde, r.value, this.topic),
      timestamp: r.timestamp,
      headers: r.headers,
    };
  }

  readValue(): V | null {
    return this.readRecord().value;
  }

  readKeyValue(): { key: K | null; value: V | null } {
    const { key, value } = this.readRecord();
    return { key, value };
  }

  readRecordsToList(): TestRecord<K, V>[] {
    const out: TestRecord<K, V>[] = [];
    while (!this.isEmpty()) out.push(this.readRecord());
    return out;
  }

  readValuesToList(): (V | null)[] {
    return this.readRecordsToList().map((r) => r.value);
  }

  readKeyValuesToList(): { key: K | null; value: V | null }[] {
    return this.readRecordsToList().map(({ key, value }) => ({ key, value }));
  }

  /** The latest value per key (a tombstone removes the key), as a compacted topic would end. */
  readKeyValuesToMap(): Map<K, V> {
    const out = new Map<K, V>();
    for (const { key, value } of this.readRecordsToList()) {
      if (key === null) continue;
      if (value === null) out.delete(key);
      else out.set(key, value);
    }
    return out;
  }
}
