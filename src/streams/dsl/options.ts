// The DSL's option objects, named after Kafka Streams' (Consumed, Produced, Grouped, Materialized,
// Joined, Repartitioned, Suppressed, Branched), as plain objects.

import type { Serde } from "../serdes.js";
import type { TimestampExtractor } from "../topology/specs.js";

export interface Consumed<K, V> {
  keySerde?: Serde<K>;
  valueSerde?: Serde<V>;
  /** Event time of a record; default its timestamp. */
  timestampExtractor?: TimestampExtractor;
  /** The source node's name. */
  name?: string;
}

export interface Produced<K, V> {
  keySerde?: Serde<K>;
  valueSerde?: Serde<V>;
  /** Picks the partition; undefined leaves it to murmur2 of the key bytes, as the producer does. */
  partitioner?: (key: K, value: V, numPartitions: number) => number | undefined;
  name?: string;
}

export interface Grouped<K, V> {
  /** Names the repartition topic `<applicationId>-<name>-repartition`. */
  name?: string;
  keySerde?: Serde<K>;
  valueSerde?: Serde<V>;
}

export interface Materialized<K, V> {
  /** The store's name: queryable under it, and its changelog is `<applicationId>-<name>-changelog`. */
  name?: string;
  keySerde?: Serde<K>;
  valueSerde?: Serde<V>;
  /** Back the store with a changelog topic (default true: without one a moved task starts empty). */
  logging?: boolean;
  /** Window and session stores: how long entries are kept (default: window size or gap, plus grace). */
  retentionMs?: number;
  /** Extra config for the changelog topic. */
  changelogConfig?: Record<string, unknown>;
}

export interface Joined<K, V, VO> {
  name?: string;
  keySerde?: Serde<K>;
  valueSerde?: Serde<V>;
  otherValueSerde?: Serde<VO>;
}

export interface Repartitioned<K, V> {
  name?: string;
  numberOfPartitions?: number;
  keySerde?: Serde<K>;
  valueSerde?: Serde<V>;
}

export interface Suppression {
  kind: "untilWindowCloses";
  name?: string;
}

export const Suppressed = {
  /** Emit each window's result once, when stream time passes its end plus grace (Kafka's final results). */
  untilWindowCloses: (opts: { name?: string } = {}): Suppression => ({ kind: "untilWindowCloses", ...opts }),
};

export interface Branched<K, V, R> {
  name?: string;
  /** Applied to the branch; what it returns is the branch's stream in the result. */
  chain?: (stream: R) => R | void;
  /** @internal phantom */
  readonly _k?: K;
  readonly _v?: V;
}

export interface StoreBuilder<K = unknown, V = unknown> {
  name: string;
  type?: "keyValue" | "window" | "session";
  keySerde?: Serde<K>;
  valueSerde?: Serde<V>;
  logging?: boolean;
  windowSizeMs?: number;
  retentionMs?: number;
  retainDuplicates?: boolean;
}
