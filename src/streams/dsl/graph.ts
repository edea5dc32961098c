// What the DSL accumulates while a topology is described: nodes, stores, internal topics and join
// requirements, with Kafka's generated names (KSTREAM-MAP-0000000001, ...).

import { EdgelogError } from "../../protocol/errors.js";
import type { InternalProcessor } from "../processors/api.js";
import { filterProcessor } from "../processors/stateless.js";
import type { Serde } from "../serdes.js";
import type { GlobalSpec, NodeSpec, SinkSpec, SourceSpec, StoreSpec, TopicRef } from "../topology/specs.js";
import { Topology, type RepartitionSpec } from "../topology/topology.js";

export class Graph {
  readonly nodes: NodeSpec[] = [];
  readonly stores: StoreSpec[] = [];
  readonly globals: GlobalSpec[] = [];
  readonly repartitions: RepartitionSpec[] = [];
  readonly copartitionGroups: TopicRef[][] = [];
  #index = 0;
  #built = false;

  /** Kafka's generated node names: the operator and a ten-digit sequence number. */
  name(prefix: string, given?: string): string {
    const n = `${prefix}-${String(this.#index++).padStart(10, "0")}`;
    return given ?? n;
  }

  #check(): void {
    if (this.#built)
      throw new EdgelogError(
        "INVALID_TOPOLOGY",
        "this builder was already built; describe a new topology with a new StreamsBuilder",
      );
  }

  addSource(spec: Omit<SourceSpec, "kind">): string {
    this.#check();
    this.nodes.push({ kind: "source", ...spec });
    return spec.name;
  }

  addProcessor(
    name: string,
    parents: string[],
    supplier: () => InternalProcessor<any, any, any, any>,
    stores: string[] = [],
  ): string {
    this.#check();
    this.nodes.push({ kind: "processor", name, parents, supplier, stores });
    return name;
  }

  addSink(spec: Omit<SinkSpec, "kind">): string {
    this.#check();
    this.nodes.push({ kind: "sink", ...spec });
    return spec.name;
  }

  addStore(spec: StoreSpec): void {
    this.#check();
    this.stores.push(spec);
  }

  /**
   * Writes a stream through an internal topic `<applicationId>-<name>-repartition`, so records are
   * partitioned by their (new) key; null keys cannot be placed and are dropped first, as Kafka does.
   * Returns the source node reading it.
   */
  repartition(
    parent: string,
    name: string,
    keySerde: Serde<unknown> | undefined,
    valueSerde: Serde<unknown> | undefined,
    partitions?: number,
  ): string {
    const topic: TopicRef = { name: `${name}-repartition`, internal: true };
    if (this.repartitions.some((r) => r.name === topic.name)) {
      throw new EdgelogError(
        "INVALID_TOPOLOGY",
        `two operations repartition through ${topic.name}; give one of them another name (Grouped or Repartitioned name)`,
      );
    }
    this.repartitions.push(partitions === undefined ? { name: topic.name } : { name: topic.name, partitions });
    const filter = this.addProcessor(
      this.name("KSTREAM-FILTER"),
      [parent],
      filterProcessor((k: unknown) => k !== null && k !== undefined),
    );
    this.addSink({ name: this.name("KSTREAM-SINK"), parents: [filter], topic, keySerde, valueSerde });
    return this.addSource({ name: this.name("KSTREAM-SOURCE"), topics: [topic], keySerde, valueSerde });
  }

  /** The source topics that feed `node` (walking its parents up to the sources). */
  sourceTopicsOf(node: string): TopicRef[] {
    const byName = new Map(this.nodes.map((n) => [n.name, n]));
    const out = new Map<string, TopicRef>();
    const seen = new Set<string>();
    const walk = (name: string) => {
      if (seen.has(name)) return;
      seen.add(name);
      const n = byName.get(name);
      if (!n) return;
      if (n.kind === "source") for (const t of n.topics) out.set(`${t.internal}:${t.name}`, t);
      else for (const p of n.parents) walk(p);
    };
    walk(node);
    return [...out.values()];
  }

  copartition(...nodes: string[]): void {
    const group = new Map<string, TopicRef>();
    for (const n of nodes) for (const t of this.sourceTopicsOf(n)) group.set(`${t.internal}:${t.name}`, t);
    this.copartitionGroups.push([...group.values()]);
  }

  build(): Topology {
    this.#check();
    this.#built = true;
    return new Topology({
      nodes: this.nodes,
      stores: this.stores,
      globals: this.globals,
      repartitions: this.repartitions,
      copartitionGroups: this.copartitionGroups,
    });
  }
}
