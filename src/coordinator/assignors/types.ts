// The assignor interface: a pure function from members, subscriptions and partition counts to an assignment.

export interface AssignorMember {
  id: string;
  /** Static members sort by instance id, so a restart under a new member id lands in the same place. */
  instanceId: string | null;
  topics: readonly string[];
}

export interface AssignorInput {
  members: readonly AssignorMember[];
  /** Partition counts of the subscribed topics that exist. */
  partitions: ReadonlyMap<string, number>;
  /** The previous target assignment by member id (sticky uses it; the others ignore it). */
  previous: ReadonlyMap<string, readonly TopicPartition[]>;
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

/** Member id → its partitions, sorted by topic then partition. Every member has an entry. */
export type Assignment = Map<string, TopicPartition[]>;

export type Assignor = (input: AssignorInput) => Assignment;

/** Members in a stable order: static ones by instance id, then the rest by member id. */
export function sortedMembers(members: readonly AssignorMember[]): AssignorMember[] {
  const key = (m: AssignorMember) => (m.instanceId === null ? `1${m.id}` : `0${m.instanceId}`);
  return [...members].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

export function compareTp(a: TopicPartition, b: TopicPartition): number {
  return a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition;
}

/** Every existing partition of the topics anyone subscribes to, sorted. */
export function subscribedPartitions(input: AssignorInput): TopicPartition[] {
  const topics = new Set(input.members.flatMap((m) => m.topics));
  const out: TopicPartition[] = [];
  for (const topic of [...topics].sort()) {
    const n = input.partitions.get(topic) ?? 0;
    for (let partition = 0; partition < n; partition++) out.push({ topic, partition });
  }
  return out;
}

export function emptyAssignment(members: readonly AssignorMember[]): Assignment {
  return new Map(members.map((m) => [m.id, []]));
}

export function finish(a: Assignment): Assignment {
  for (const list of a.values()) list.sort(compareTp);
  return a;
}
