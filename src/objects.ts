// Reaching the Durable Objects: every object's name is built here and nowhere else. Generic over
// each namespace's type, so tests (whose env types it by the class bound) get class-typed stubs.

type Objects<T extends Rpc.DurableObjectBranded> = DurableObjectNamespace<T>;

/** The one controller object. */
export function clusterObject<T extends Rpc.DurableObjectBranded>(env: { CLUSTER: Objects<T> }): DurableObjectStub<T> {
  return env.CLUSTER.getByName("cluster");
}

/**
 * A partition's object: the leader, named `${topicId}/${partition}` (by the topic's immutable id,
 * so a deleted and recreated topic never sees old data), or with a `region` its follower copy,
 * `${topicId}/${partition}@${region}`. `place` asks the platform to create that copy in its region.
 */
export function partitionObject<T extends Rpc.DurableObjectBranded>(
  env: { PARTITION: Objects<T> },
  topicId: string,
  partition: number,
  region: string | null = null,
  place = false,
): DurableObjectStub<T> {
  const leader = `${topicId}/${partition}`;
  if (region === null) return env.PARTITION.getByName(leader);
  const hint = place ? { locationHint: region as DurableObjectLocationHint } : undefined;
  return env.PARTITION.getByName(`${leader}@${region}`, hint);
}

/** A partition's copy by name: "home" (leadership/record.ts HOME) is the original object, else a region's. */
export function partitionCopy<T extends Rpc.DurableObjectBranded>(
  env: { PARTITION: Objects<T> },
  topicId: string,
  partition: number,
  copy: string,
): DurableObjectStub<T> {
  return partitionObject(env, topicId, partition, copy === "home" ? null : copy);
}

/** A consumer group's coordinator, named by the group id. */
export function coordinatorObject<T extends Rpc.DurableObjectBranded>(
  env: { COORDINATOR: Objects<T> },
  groupId: string,
): DurableObjectStub<T> {
  return env.COORDINATOR.getByName(groupId);
}

/** The one schema registry object. */
export function registryObject<T extends Rpc.DurableObjectBranded>(env: {
  REGISTRY: Objects<T>;
}): DurableObjectStub<T> {
  return env.REGISTRY.getByName("registry");
}

/** A member host object, named by what it hosts (streams: `hostName` in streams/worker.ts). */
export function memberHostObject<T extends Rpc.DurableObjectBranded>(
  env: { MEMBER_HOST: Objects<T> },
  name: string,
): DurableObjectStub<T> {
  return env.MEMBER_HOST.getByName(name);
}

/** A mirror's object, named by the mirror's name. */
export function mirrorObject<T extends Rpc.DurableObjectBranded>(
  env: { MIRROR: Objects<T> },
  name: string,
): DurableObjectStub<T> {
  return env.MIRROR.getByName(name);
}

/** A transactional id's coordinator (Kafka's transaction coordinator), named by the id: no hot shard. */
export function txnCoordinatorObject<T extends Rpc.DurableObjectBranded>(
  env: { TXN_COORDINATOR: Objects<T> },
  transactionalId: string,
): DurableObjectStub<T> {
  return env.TXN_COORDINATOR.getByName(transactionalId);
}

/**
 * Voter `i` of a topic's election authority (three per topic), created in `region` on first use:
 * each voter in its own region, so the authority outlives the loss of any one.
 */
export function electionObject<T extends Rpc.DurableObjectBranded>(
  env: { ELECTION: Objects<T> },
  topicId: string,
  i: number,
  region: string,
): DurableObjectStub<T> {
  return env.ELECTION.getByName(`${topicId}#${i}`, { locationHint: region as DurableObjectLocationHint });
}

/** A connector's object, named by the connector's name. */
export function connectorObject<T extends Rpc.DurableObjectBranded>(
  env: { CONNECTOR: Objects<T> },
  name: string,
): DurableObjectStub<T> {
  return env.CONNECTOR.getByName(name);
}

/**
 * A metrics aggregate: `cluster` (groups, mirrors, the router's counters) or a topic's,
 * `topic/${topicId}` (its partitions' reports).
 */
export function metricsObject<T extends Rpc.DurableObjectBranded>(
  env: { METRICS: Objects<T> },
  scope: "cluster" | `topic/${string}`,
): DurableObjectStub<T> {
  return env.METRICS.getByName(scope);
}
