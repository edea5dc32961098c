// A built topology: its nodes cut into sub-topologies (connected by parent edges and shared stores,
// separated by repartition topics), its stores, internal topics and co-partitioning requirements.

import { EdgelogError } from "../../protocol/errors.js";
import {
  topicKey,
  type GlobalSpec,
  type NodeSpec,
  type StoreSpec,
  type SubtopologySpec,
  type TopicRef,
} from "./specs.js";

export interface RepartitionSpec {
  name: string;
  /** A fixed partition count (KStream.repartition({ numberOfPartitions })); else derived at start. */
  partitions?: number;
}

export interface TopologyParts {
  nodes: NodeSpec[];
  stores: StoreSpec[];
  globals: GlobalSpec[];
  repartitions: RepartitionSpec[];
  /** Groups of topics a join reads together: partition i of each must go to the same task. */
  copartitionGroups: TopicRef[][];
}

function invalid(message: string): never {
  throw new EdgelogError("INVALID_TOPOLOGY", message);
}

export class Topology {
  readonly nodes: ReadonlyMap<string, NodeSpec>;
  readonly children: ReadonlyMap<string, readonly string[]>;
  readonly stores: ReadonlyMap<string, StoreSpec>;
  readonly globals: readonly GlobalSpec[];
  readonly repartitions: ReadonlyMap<string, RepartitionSpec>;
  readonly subtopologies: readonly SubtopologySpec[];
  readonly copartitionGroups: readonly TopicRef[][];
  /** Store name → the sub-topology whose tasks hold it. */
  readonly storeOwner: ReadonlyMap<string, number>;

  constructor(parts: TopologyParts) {
    const nodes = new Map<string, NodeSpec>();
    for (const n of parts.nodes) {
      if (nodes.has(n.name)) invalid(`two nodes are named ${n.name}; processor names must be unique`);
      nodes.set(n.name, n);
    }
    const stores = new Map<string, StoreSpec>();
    for (const s of [...parts.stores, ...parts.globals.map((g) => g.store)]) {
      if (stores.has(s.name)) invalid(`two state stores are named ${s.name}; store names must be unique`);
      stores.set(s.name, s);
    }
    const children = new Map<string, string[]>();
    for (const n of nodes.values()) {
      children.set(n.name, []);
    }
    for (const n of nodes.values()) {
      if (n.kind === "source") continue;
      for (const p of n.parents) {
        if (!nodes.has(p)) invalid(`${n.name} names ${p} as its parent, but there is no such node`);
        if (nodes.get(p)!.kind === "sink") invalid(`${n.name} cannot follow the sink ${p}`);
        children.get(p)!.push(n.name);
      }
      if (n.kind === "processor") {
        for (const s of n.stores) {
          if (!stores.has(s)) invalid(`${n.name} uses the state store ${s}, which the topology does not define`);
        }
      }
    }
    const subscribed = new Map<string, string>();
    for (const n of nodes.values()) {
      if (n.kind !== "source") continue;
      if (n.topics.length === 0) invalid(`source ${n.name} reads no topic`);
      for (const t of n.topics) {
        const k = topicKey(t);
        if (subscribed.has(k))
          invalid(
            `topic ${t.name} is read by both ${subscribed.get(k)} and ${n.name}; read it once and reuse the stream`,
          );
        subscribed.set(k, n.name);
      }
    }
    for (const g of parts.globals) {
      if (subscribed.has(g.topic)) invalid(`topic ${g.topic} is both a global table and a stream or table source`);
    }

    // Union-find: parent edges and shared (non-global) stores join nodes into one sub-topology.
    const up = new Map<string, string>([...nodes.keys()].map((k) => [k, k]));
    const find = (x: string): string => {
      let r = x;
      while (up.get(r) !== r) r = up.get(r)!;
      up.set(x, r);
      return r;
    };
    const union = (a: string, b: string) => up.set(find(a), find(b));
    const global = new Set(parts.globals.map((g) => g.store.name));
    const storeUsers = new Map<string, string[]>();
    for (const n of nodes.values()) {
      if (n.kind !== "source") for (const p of n.parents) union(n.name, p);
      if (n.kind === "processor") {
        for (const s of n.stores) {
          if (global.has(s)) continue;
          (storeUsers.get(s) ?? storeUsers.set(s, []).get(s)!).push(n.name);
        }
      }
    }
    for (const users of storeUsers.values()) for (const u of users.slice(1)) union(users[0]!, u);

    const groups = new Map<string, string[]>();
    for (const n of nodes.keys()) (groups.get(find(n)) ?? groups.set(find(n), []).get(find(n))!).push(n);
    const subtopologies: SubtopologySpec[] = [];
    const storeOwner = new Map<string, number>();
    for (const members of groups.values()) {
      const id = subtopologies.length;
      const sources = members.flatMap((m) => {
        const n = nodes.get(m)!;
        return n.kind === "source" ? n.topics : [];
      });
      if (sources.length === 0) invalid(`nodes ${members.join(", ")} are not connected to any source topic`);
      const owned = [
        ...new Set(
          members.flatMap((m) => {
            const n = nodes.get(m)!;
            return n.kind === "processor" ? n.stores.filter((s) => !global.has(s)) : [];
          }),
        ),
      ];
      for (const s of owned) storeOwner.set(s, id);
      subtopologies.push({ id, nodes: members, sources, stores: owned });
    }
    for (const s of stores.values()) {
      if (!global.has(s.name) && !storeOwner.has(s.name)) {
        invalid(`state store ${s.name} is not connected to any processor (name it in KStream.process(..., stores))`);
      }
    }

    this.nodes = nodes;
    this.children = children;
    this.stores = stores;
    this.globals = parts.globals;
    this.repartitions = new Map(parts.repartitions.map((r) => [r.name, r]));
    this.subtopologies = subtopologies;
    this.copartitionGroups = parts.copartitionGroups;
    this.storeOwner = storeOwner;
  }

  /** The sub-topology reading `topic`, if any. */
  subtopologyOf(topic: TopicRef): SubtopologySpec | undefined {
    const k = topicKey(topic);
    return this.subtopologies.find((s) => s.sources.some((t) => topicKey(t) === k));
  }

  /** External topics the topology reads (streams and tables, not global tables). */
  sourceTopics(): string[] {
    return this.subtopologies.flatMap((s) => s.sources.filter((t) => !t.internal).map((t) => t.name));
  }

  /** Topics sinks write to by name (not the internal ones, nor extractor-chosen ones). */
  sinkTopics(): TopicRef[] {
    const out: TopicRef[] = [];
    for (const n of this.nodes.values()) if (n.kind === "sink" && typeof n.topic !== "function") out.push(n.topic);
    return out;
  }

  /** A text description in the shape of Kafka's TopologyDescription. */
  describe(): string {
    const lines = ["Topologies:"];
    const name = (t: TopicRef) => (t.internal ? `${t.name} (internal)` : t.name);
    for (const s of this.subtopologies) {
      lines.push(`   Sub-topology: ${s.id}`);
      for (const m of s.nodes) {
        const n = this.nodes.get(m)!;
        const kids = this.children.get(m)!;
        const to = kids.length ? ` --> ${kids.join(", ")}` : " --> none";
        const from = n.kind === "source" ? "" : `\n      <-- ${n.parents.join(", ")}`;
        if (n.kind === "source") lines.push(`    Source: ${m} (topics: [${n.topics.map(name).join(", ")}])${to}`);
        else if (n.kind === "processor")
          lines.push(`    Processor: ${m} (stores: [${n.stores.join(", ")}])${to}${from}`);
        else
          lines.push(`    Sink: ${m} (topic: ${typeof n.topic === "function" ? "<extractor>" : name(n.topic)})${from}`);
      }
    }
    for (const g of this.globals) lines.push(`   Global store: ${g.store.name} (topic: ${g.topic})`);
    return `${lines.join("\n")}\n`;
  }
}
