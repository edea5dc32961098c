// StreamsBuilder: where a topology starts (streams, tables, global tables, extra stores) and is built.

import { EdgelogError } from "../../protocol/errors.js";
import type { Serde } from "../serdes.js";
import type { Topology } from "../topology/topology.js";
import { Graph } from "./graph.js";
import { KStream } from "./kstream.js";
import { GlobalKTable, storeGetter, tableSource, type KTable } from "./ktable.js";
import type { Consumed, Materialized, StoreBuilder } from "./options.js";

export class StreamsBuilder {
  readonly #graph = new Graph();

  /** A stream of the records of one or more topics. */
  stream<K = string, V = unknown>(topics: string | string[], consumed: Consumed<K, V> = {}): KStream<K, V> {
    const list = Array.isArray(topics) ? topics : [topics];
    const g = this.#graph;
    const node = g.addSource({
      name: g.name("KSTREAM-SOURCE", consumed.name),
      topics: list.map((name) => ({ name, internal: false })),
      keySerde: consumed.keySerde as Serde<unknown> | undefined,
      valueSerde: consumed.valueSerde as Serde<unknown> | undefined,
      timestampExtractor: consumed.timestampExtractor,
    });
    return new KStream<K, V>(g, node, consumed.keySerde, consumed.valueSerde);
  }

  /** A table of a topic's latest value per key (a null value deletes the key), kept in a store. */
  table<K = string, V = unknown>(
    topic: string,
    consumed: Consumed<K, V> = {},
    materialized: Materialized<K, V> = {},
  ): KTable<K, V> {
    const g = this.#graph;
    const source = g.addSource({
      name: g.name("KSTREAM-SOURCE", consumed.name),
      topics: [{ name: topic, internal: false }],
      keySerde: consumed.keySerde as Serde<unknown> | undefined,
      valueSerde: consumed.valueSerde as Serde<unknown> | undefined,
      timestampExtractor: consumed.timestampExtractor,
    });
    const store = materialized.name ?? g.name(`${topic}-STATE-STORE`);
    const keySerde = materialized.keySerde ?? consumed.keySerde;
    const valueSerde = materialized.valueSerde ?? consumed.valueSerde;
    g.addStore({
      name: store,
      type: "keyValue",
      keySerde: keySerde as Serde<unknown> | undefined,
      valueSerde: valueSerde as Serde<unknown> | undefined,
      logging: materialized.logging ?? true,
      queryable: true,
      changelogConfig: materialized.changelogConfig,
    });
    return tableSource(g, source, store, keySerde, valueSerde);
  }

  /** A table every instance keeps whole, from all partitions of `topic`; joins need no co-partitioning. */
  globalTable<K = string, V = unknown>(
    topic: string,
    consumed: Consumed<K, V> = {},
    materialized: Materialized<K, V> = {},
  ): GlobalKTable<K, V> {
    const g = this.#graph;
    const store = materialized.name ?? g.name(`${topic}-STATE-STORE`);
    const keySerde = (materialized.keySerde ?? consumed.keySerde) as Serde<unknown> | undefined;
    const valueSerde = (materialized.valueSerde ?? consumed.valueSerde) as Serde<unknown> | undefined;
    if (g.globals.some((x) => x.topic === topic)) {
      throw new EdgelogError("INVALID_TOPOLOGY", `topic ${topic} is already a global table`);
    }
    g.globals.push({
      topic,
      keySerde,
      valueSerde,
      // The topic itself is the changelog: a global store restores from it, never from its own.
      store: { name: store, type: "keyValue", keySerde, valueSerde, logging: false, queryable: true },
    });
    return new GlobalKTable<K, V>(store, storeGetter(store));
  }

  /** A store for Processor API processors (`KStream.process(supplier, [name])`). */
  addStateStore(store: StoreBuilder): this {
    this.#graph.addStore({
      name: store.name,
      type: store.type ?? "keyValue",
      keySerde: store.keySerde as Serde<unknown> | undefined,
      valueSerde: store.valueSerde as Serde<unknown> | undefined,
      logging: store.logging ?? true,
      windowSizeMs: store.windowSizeMs,
      retentionMs: store.retentionMs,
      retainDuplicates: store.retainDuplicates,
      queryable: true,
    });
    return this;
  }

  build(): Topology {
    return this.#graph.build();
  }
}
