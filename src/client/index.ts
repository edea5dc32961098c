// edgelog/client: the SDK. fetch and WebSocket only, so it runs in Node >= 20, browsers and Workers.

import { Admin } from "./admin.js";
import { Consumer, type ConsumerOptions } from "./consumer.js";
import type { ClientEvents } from "./events.js";
import { Instrumentation } from "./instrumentation.js";
import { TopicMetadata } from "./metadata.js";
import { Producer, type ProducerOptions } from "./producer.js";
import { SchemaRegistryClient } from "./schema-registry.js";
import { tail, type TailOptions } from "./tail.js";
import { Transport, type ClientOptions } from "./transport.js";

export class Edgelog {
  readonly http: Transport;
  /** Namespaced events: producer.request, producer.retry, consumer.heartbeat, ... */
  readonly events = new Instrumentation<ClientEvents>();
  readonly #meta: TopicMetadata;

  constructor(opts: ClientOptions = {}) {
    this.http = new Transport(opts);
    this.#meta = new TopicMetadata(this.http);
  }

  producer(opts?: ProducerOptions): Producer {
    return new Producer(this.http, this.events, this.#meta, opts);
  }

  consumer(opts?: ConsumerOptions): Consumer {
    return new Consumer(this.http, this.events, this.#meta, opts);
  }

  admin(): Admin {
    return new Admin(this.http);
  }

  /** The deployment's schema registry (/registry): register schemas, serialize and deserialize framed values. */
  schemaRegistry(): SchemaRegistryClient {
    return new SchemaRegistryClient(this.http);
  }

  /** Live records of one partition as they are appended (SSE by default). */
  tail(topic: string, partition: number, opts?: TailOptions) {
    return tail(this.http, topic, partition, opts);
  }
}

export { Admin, Consumer, Instrumentation, Producer, Transport };
export { EdgelogError, ERRORS, type ErrorCode } from "../protocol/errors.js";
export type { ClientEvents, ClientOptions, ConsumerOptions, ProducerOptions, TailOptions };
export type { Batch, ConsumedMessage, RunOptions, TopicPartitionOffset } from "./consumer.js";
export type { Message, RecordMetadata } from "./producer.js";
export type { Transaction, TransactionOffsets, GroupMetadata } from "./transaction.js";
export type {
  CommittedOffset,
  GroupDescription,
  GroupSummary,
  PartitionLag,
  PartitionState,
  TopicDescription,
  TopicInfo,
  TransactionListing,
} from "./admin.js";
export type { LiveFrame, FetchedRecord } from "../protocol/api.js";
export { DEFAULT_URL } from "./transport.js";
export { SchemaRegistryClient, type SchemaInput } from "./schema-registry.js";
