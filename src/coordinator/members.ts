// A group member: its in-memory shape, its SQLite row, and the "topic:partition" keys its sets hold.

import { isAssignorName, type AssignorName } from "./assignors/index.js";
import { fromTpKey as fromKey, tpKey } from "../protocol/topic-partition.js";

export { fromKey, tpKey };

export type Protocol = "consumer" | "classic";

export interface Member {
  id: string;
  instanceId: string | null;
  epoch: number;
  protocol: Protocol;
  topics: string[];
  assignor: AssignorName | null;
  sessionTimeoutMs: number;
  deadline: number;
  /** How long the member may take to give up partitions it is asked to release. */
  rebalanceTimeoutMs: number;
  /** While it holds partitions it was asked to release: when it is fenced if it still does (else null). */
  revokeBy: number | null;
  /** What the assignor wants this member to have. */
  target: Set<string>;
  /** What the member has been given: the target minus partitions others have not released yet. */
  assigned: Set<string>;
  /** What the member last reported holding; nobody else gets these until it lets go. */
  owned: Set<string>;
  /** The client's own name for itself (Kafka's client.id), when it gave one. */
  clientId: string | null;
  /** The address the member connects from, when known. */
  clientHost: string | null;
}

interface MemberRow extends Record<string, SqlStorageValue> {
  member_id: string;
  instance_id: string | null;
  epoch: number;
  protocol: string;
  topics: string;
  assignor: string | null;
  session_timeout_ms: number;
  deadline: number;
  rebalance_timeout_ms: number;
  revoke_by: number | null;
  target: string;
  assigned: string;
  owned: string;
  client_id: string | null;
  client_host: string | null;
}

/** Groups "topic:partition" keys as the wire's [{topic, partitions}], sorted. */
export function toTopicPartitions(keys: Iterable<string>): { topic: string; partitions: number[] }[] {
  const by = new Map<string, number[]>();
  for (const k of keys) {
    const { topic, partition } = fromKey(k);
    const list = by.get(topic);
    if (list) list.push(partition);
    else by.set(topic, [partition]);
  }
  return [...by]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([topic, ps]) => ({ topic, partitions: ps.sort((a, b) => a - b) }));
}

export const sameSet = (a: Set<string>, b: Set<string>) => a.size === b.size && [...a].every((k) => b.has(k));

export function loadMembers(sql: SqlStorage): Member[] {
  return sql.exec<MemberRow>(`SELECT * FROM members`).toArray().map(fromRow);
}

export function saveMember(sql: SqlStorage, m: Member): void {
  sql.exec(
    `INSERT OR REPLACE INTO members (member_id, instance_id, epoch, protocol, topics, assignor, session_timeout_ms,
       deadline, rebalance_timeout_ms, revoke_by, target, assigned, owned, client_id, client_host)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    m.id,
    m.instanceId,
    m.epoch,
    m.protocol,
    JSON.stringify(m.topics),
    m.assignor,
    m.sessionTimeoutMs,
    m.deadline,
    m.rebalanceTimeoutMs,
    m.revokeBy,
    JSON.stringify([...m.target]),
    JSON.stringify([...m.assigned]),
    JSON.stringify([...m.owned]),
    m.clientId,
    m.clientHost,
  );
}

function fromRow(r: MemberRow): Member {
  return {
    id: r.member_id,
    instanceId: r.instance_id,
    epoch: r.epoch,
    protocol: r.protocol === "classic" ? "classic" : "consumer",
    topics: JSON.parse(r.topics) as string[],
    assignor: r.assignor !== null && isAssignorName(r.assignor) ? r.assignor : null,
    sessionTimeoutMs: r.session_timeout_ms,
    deadline: r.deadline,
    rebalanceTimeoutMs: r.rebalance_timeout_ms,
    revokeBy: r.revoke_by,
    target: new Set(JSON.parse(r.target) as string[]),
    assigned: new Set(JSON.parse(r.assigned) as string[]),
    owned: new Set(JSON.parse(r.owned) as string[]),
    clientId: r.client_id,
    clientHost: r.client_host,
  };
}
