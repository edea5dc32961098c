// Before an application runs: its topics are checked (sources and sinks must exist, joined topics be
// co-partitioned), and its internal topics (repartition topics, changelogs) created with the
// partition counts they need, or checked when they already exist.

import type { Admin } from "../../client/admin.js";
import { EdgelogError } from "../../protocol/errors.js";
import { planPartitions } from "../topology/partitions.js";
import { changelogTopic, topicKey, topicName } from "../topology/specs.js";
import type { Topology } from "../topology/topology.js";
import type { TopicSpec } from "../config.js";

export interface PreparedTopics {
  /** Partition count per server-side topic name. */
  partitions: Map<string, number>;
  /** Topics created by this start (the rest already existed). */
  created: string[];
}

async function describe(admin: Admin, topic: string): Promise<number | undefined> {
  try {
    return (await admin.describeTopic(topic)).partition_count;
  } catch (e) {
    if (e instanceof EdgelogError && e.code === "UNKNOWN_TOPIC_OR_PARTITION") return undefined;
    throw e;
  }
}

async function createMissing(admin: Admin, name: string, spec: TopicSpec): Promise<boolean> {
  if ((await describe(admin, name)) !== undefined) return false;
  try {
    await admin.createTopic(name, spec);
    return true;
  } catch (e) {
    // Another instance of the application created it first.
    if (e instanceof EdgelogError && e.code === "TOPIC_ALREADY_EXISTS") return false;
    throw e;
  }
}

export async function prepareTopics(
  admin: Admin,
  topology: Topology,
  applicationId: string,
  createTopics: Record<string, TopicSpec> = {},
): Promise<PreparedTopics> {
  const created: string[] = [];
  for (const [name, spec] of Object.entries(createTopics))
    if (await createMissing(admin, name, spec)) created.push(name);
  const external = new Map<string, number | undefined>();
  const externalNames = new Set([
    ...topology.sourceTopics(),
    ...topology.globals.map((g) => g.topic),
    ...topology
      .sinkTopics()
      .filter((t) => !t.internal)
      .map((t) => t.name),
  ]);
  await Promise.all([...externalNames].map(async (t) => external.set(t, await describe(admin, t))));
  for (const g of topology.globals) {
    if (external.get(g.topic) === undefined) {
      throw new EdgelogError(
        "UNKNOWN_TOPIC_OR_PARTITION",
        `global table topic ${g.topic} does not exist; create it before starting the application, or list it in createTopics`,
      );
    }
  }
  const plan = planPartitions(topology, (t) => external.get(t));
  for (const t of topology.sinkTopics()) {
    if (!t.internal && external.get(t.name) === undefined) {
      throw new EdgelogError(
        "UNKNOWN_TOPIC_OR_PARTITION",
        `output topic ${t.name} does not exist; create it before starting the application, or list it in createTopics`,
      );
    }
  }

  const partitions = new Map<string, number>();
  for (const [name, n] of external) if (n !== undefined) partitions.set(name, n);
  const internal: { name: string; partitions: number; config: Record<string, unknown> }[] = [];
  for (const r of topology.repartitions.values()) {
    const n = plan.topics.get(topicKey({ name: r.name, internal: true }))!;
    internal.push({ name: topicName({ name: r.name, internal: true }, applicationId), partitions: n, config: {} });
  }
  for (const [store, n] of plan.changelogs) {
    const spec = topology.stores.get(store)!;
    if (!spec.logging) continue;
    internal.push({
      name: changelogTopic(applicationId, store),
      partitions: n,
      config: { "cleanup.policy": "compact", ...spec.changelogConfig },
    });
  }
  for (const t of internal) {
    if (await createMissing(admin, t.name, { partitions: t.partitions, config: t.config })) created.push(t.name);
    const existing = await describe(admin, t.name);
    if (existing !== t.partitions) {
      throw new EdgelogError(
        "INVALID_TOPOLOGY",
        `internal topic ${t.name} has ${existing} partitions but the topology needs ${t.partitions}: ` +
          "the input topics changed size; delete the application's internal topics and committed offsets to start it afresh",
      );
    }
    partitions.set(t.name, t.partitions);
  }
  return { partitions, created };
}
