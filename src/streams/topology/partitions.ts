// Partition counts for a topology at start: external topics as they are, repartition topics as many
// as their writers' inputs (or what a join needs), changelogs one per task; and the check that
// joined topics are co-partitioned, which fails fast instead of joining the wrong keys.

import { EdgelogError } from "../../protocol/errors.js";
import { topicKey, type TopicRef } from "./specs.js";
import type { Topology } from "./topology.js";

export interface PartitionPlan {
  /** Partition count per topology topic (topicKey). */
  topics: Map<string, number>;
  /** Tasks per sub-topology: the most partitions any of its sources has. */
  tasks: Map<number, number>;
  /** Partition count per store's changelog. */
  changelogs: Map<string, number>;
}

const invalid = (message: string): never => {
  throw new EdgelogError("INVALID_TOPOLOGY", message);
};

/**
 * `external` gives the partition count of each existing external topic (undefined: it does not
 * exist). Internal topics are sized here; the caller creates or checks them.
 */
export function planPartitions(topology: Topology, external: (topic: string) => number | undefined): PartitionPlan {
  const topics = new Map<string, number>();
  for (const s of topology.subtopologies) {
    for (const t of s.sources) {
      if (t.internal) continue;
      const n = external(t.name);
      if (n === undefined) {
        throw new EdgelogError(
          "UNKNOWN_TOPIC_OR_PARTITION",
          `source topic ${t.name} does not exist; create it before starting the application, or list it in createTopics`,
        );
      }
      topics.set(topicKey(t), n);
    }
  }
  for (const r of topology.repartitions.values()) {
    if (r.partitions !== undefined) topics.set(topicKey({ name: r.name, internal: true }), r.partitions);
  }

  // A task reads partition i of every source of its sub-topology; edgelog's coordinator assigns
  // partitions topic by topic (range), which keeps partition i of equally sized topics together,
  // so a sub-topology's sources are co-partitioned like joined topics (Kafka only requires it of
  // joins; its own assignor places tasks).
  const groups: TopicRef[][] = [
    ...topology.copartitionGroups,
    ...topology.subtopologies.filter((s) => s.sources.length > 1).map((s) => s.sources),
  ];
  // Joins first: a group holding external topics fixes its repartition topics to their count.
  const groupCounts = (group: readonly TopicRef[]) =>
    group.filter((t) => topics.has(topicKey(t))).map((t) => ({ t, n: topics.get(topicKey(t))! }));
  for (const group of groups) {
    const known = groupCounts(group);
    const counts = new Set(known.map((k) => k.n));
    if (counts.size > 1) {
      invalid(
        `topics ${known.map((k) => `${k.t.name} (${k.n} partitions)`).join(", ")} are read together (joined, or by one sub-topology) but not co-partitioned: ` +
          "they need the same partition count so equal keys meet in one task; repartition one side " +
          "(KStream.repartition({ numberOfPartitions })) or recreate a topic",
      );
    }
    if (known.length > 0) for (const t of group) if (!topics.has(topicKey(t))) topics.set(topicKey(t), known[0]!.n);
  }

  // Repartition topics take the largest input of the sub-topology that writes them; chains of
  // them resolve in as many passes as they are long.
  const writers = new Map<string, number>();
  for (const s of topology.subtopologies) {
    for (const name of s.nodes) {
      const n = topology.nodes.get(name)!;
      if (n.kind === "sink" && typeof n.topic !== "function" && n.topic.internal) writers.set(topicKey(n.topic), s.id);
    }
  }
  for (let pass = 0; pass <= topology.subtopologies.length; pass++) {
    let changed = false;
    for (const [key, writer] of writers) {
      if (topics.has(key)) continue;
      const inputs = topology.subtopologies[writer]!.sources.map((t) => topics.get(topicKey(t)));
      if (inputs.some((n) => n === undefined)) continue;
      topics.set(key, Math.max(...(inputs as number[])));
      changed = true;
    }
    for (const group of groups) {
      const known = groupCounts(group);
      if (known.length === 0 || known.length === group.length) continue;
      const n = Math.max(...known.map((k) => k.n));
      for (const t of group) if (!topics.has(topicKey(t))) topics.set(topicKey(t), n);
      changed = true;
    }
    if (!changed) break;
  }
  for (const group of groups) {
    const known = groupCounts(group);
    if (new Set(known.map((k) => k.n)).size > 1) {
      invalid(
        `topics ${known.map((k) => `${k.t.name} (${k.n} partitions)`).join(", ")} are read together but not co-partitioned; ` +
          "give the repartition topics a matching numberOfPartitions",
      );
    }
  }

  const tasks = new Map<number, number>();
  for (const s of topology.subtopologies) {
    const counts = s.sources.map((t) => topics.get(topicKey(t)));
    if (counts.some((n) => n === undefined))
      invalid(`cannot size the inputs of sub-topology ${s.id} (a repartition cycle?)`);
    tasks.set(s.id, Math.max(...(counts as number[])));
  }
  const changelogs = new Map<string, number>();
  for (const [store, owner] of topology.storeOwner) changelogs.set(store, tasks.get(owner)!);
  return { topics, tasks, changelogs };
}
