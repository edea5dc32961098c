// A consumer group's membership state machine (KIP-848 style) over injected SQLite storage:
// joins, heartbeats, target assignment, safe hand-off of partitions, session expiry.

import { EdgelogError } from "../protocol/errors.js";
import { migrate } from "../util/migrations.js";
import { ASSIGNORS, DEFAULT_ASSIGNOR, isAssignorName, type AssignorName } from "./assignors/index.js";
import {
  checkHeartbeat,
  DEFAULT_REBALANCE_TIMEOUT_MS,
  MAX_HEARTBEAT_INTERVAL_MS,
  type HeartbeatInput,
  type HeartbeatReply,
  type SessionLimits,
} from "./heartbeat-input.js";
import {
  describeMembers,
  groupState,
  partitionOwners,
  requireCommitAllowed,
  requireOffsetDeletable,
} from "./member-queries.js";
import {
  loadMembers,
  saveMember,
  sameSet,
  tpKey,
  fromKey,
  toTopicPartitions,
  type Member,
  type Protocol,
} from "./members.js";
import { GROUP_MIGRATIONS } from "./schema.js";

export { fromKey, toTopicPartitions, tpKey, type Protocol };
export type { HeartbeatInput, HeartbeatReply, SessionLimits };

export class Group {
  readonly #sql: SqlStorage;
  readonly #members = new Map<string, Member>();
  #groupId: string | null = null;
  #epoch = 0;
  #assignor: AssignorName = DEFAULT_ASSIGNOR;
  /** Partition counts the target was computed from. */
  #partitions = new Map<string, number>();
  readonly #dirty = new Set<string>();
  #groupDirty = false;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    migrate(sql, GROUP_MIGRATIONS);
    const g = sql
      .exec<{ group_id: string; epoch: number; assignor: string; partitions: string }>(
        `SELECT group_id, epoch, assignor, partitions FROM group_state WHERE id = 0`,
      )
      .toArray()[0];
    if (g) {
      this.#groupId = g.group_id;
      this.#epoch = g.epoch;
      this.#assignor = isAssignorName(g.assignor) ? g.assignor : DEFAULT_ASSIGNOR;
      this.#partitions = new Map(JSON.parse(g.partitions) as [string, number][]);
    }
    for (const m of loadMembers(sql)) this.#members.set(m.id, m);
  }

  get groupId(): string | null {
    return this.#groupId;
  }

  get epoch(): number {
    return this.#epoch;
  }

  get assignor(): AssignorName {
    return this.#assignor;
  }

  get memberCount(): number {
    return this.#members.size;
  }

  /** Topics the members subscribe to, plus `extra` (a joining member's), for metadata lookups. */
  subscribedTopics(extra: readonly string[] = []): string[] {
    const all = new Set(extra);
    for (const m of this.#members.values()) for (const t of m.topics) all.add(t);
    return [...all].sort();
  }

  /**
   * One heartbeat: join, rejoin or steady state. Everything is validated before anything changes.
   * `partitions` holds the current partition count of each subscribed topic that exists.
   */
  heartbeat(
    groupId: string,
    req: HeartbeatInput,
    partitions: ReadonlyMap<string, number>,
    limits: SessionLimits,
    now: number,
  ): HeartbeatReply {
    const { existing, joining, topics, timeout, instanceId, protocol } = checkHeartbeat(
      groupId,
      req,
      this.#members,
      limits,
    );
    this.#setGroupId(groupId);
    let reshape = false;
    let member = existing;
    if (joining) {
      const replaced =
        instanceId === null
          ? undefined
          : [...this.#members.values()].find((m) => m.instanceId === instanceId && m.id !== req.member_id);
      if (replaced) {
        // Static membership: the restarted instance steps into its predecessor's place, target
        // and partitions included, so nobody else's assignment moves.
        this.#remove(replaced.id);
        member = { ...replaced, id: req.member_id ?? crypto.randomUUID(), epoch: replaced.epoch, owned: new Set() };
        this.#members.set(member.id, member);
      } else if (!member) {
        member = {
          id: req.member_id ?? crypto.randomUUID(),
          instanceId,
          epoch: 0,
          protocol,
          topics: [],
          assignor: null,
          sessionTimeoutMs: timeout,
          deadline: now + timeout,
          rebalanceTimeoutMs: DEFAULT_REBALANCE_TIMEOUT_MS,
          revokeBy: null,
          target: new Set(),
          assigned: new Set(),
          owned: new Set(),
          clientId: null,
          clientHost: null,
        };
        this.#members.set(member.id, member);
        reshape = true;
      }
    }
    const m = member!;
    if (!sameList(m.topics, topics) || m.assignor !== (req.assignor ?? m.assignor)) reshape = true;
    m.topics = [...new Set(topics)].sort();
    if (req.assignor !== undefined) m.assignor = req.assignor as AssignorName;
    m.instanceId = instanceId;
    m.protocol = protocol;
    m.sessionTimeoutMs = timeout;
    m.deadline = now + timeout;
    if (req.rebalance_timeout_ms !== undefined) m.rebalanceTimeoutMs = req.rebalance_timeout_ms;
    if (req.client_id !== undefined) m.clientId = req.client_id;
    if (req.client_host !== undefined) m.clientHost = req.client_host;
    this.#dirty.add(m.id);

    // A member can report only partitions it was given or still held; anything else is ignored.
    if (req.owned) {
      const reported = new Set(req.owned.flatMap((o) => o.partitions.map((p) => tpKey(o.topic, p))));
      m.owned = new Set([...reported].filter((k) => m.assigned.has(k) || m.owned.has(k)));
    } else if (req.owned === null) {
      // A KIP-848 client sends null when what it holds has not changed since its last report: it
      // still holds all it was given, and a partition this reply takes away stays held (Kafka's
      // pending revocation) until the member reports that it let go.
      m.owned = new Set([...m.owned, ...m.assigned]);
    } else if (!(joining && m.protocol === "classic")) {
      m.owned = new Set(m.assigned);
    } else {
      m.owned = new Set();
    }

    if (reshape || this.#metadataChanged(partitions)) this.#retarget(partitions);
    else if (this.#pickAssignor() !== this.#assignor) this.#retarget(partitions);

    let rejoin: boolean | undefined;
    if (m.protocol === "classic") {
      const next = this.#reconciled(m);
      if (joining) {
        m.assigned = next;
        m.epoch += 1;
      } else {
        rejoin = !sameSet(next, m.assigned);
      }
    } else {
      this.#reconcile(m);
      if (joining && m.epoch === 0) m.epoch = 1;
    }
    this.#trackRevocations(now);
    this.#flush();
    const reply: HeartbeatReply = {
      member_id: m.id,
      member_epoch: m.epoch,
      heartbeat_interval_ms: Math.min(MAX_HEARTBEAT_INTERVAL_MS, Math.floor(m.sessionTimeoutMs / 3)),
      assignment: toTopicPartitions(m.assigned),
    };
    if (rejoin !== undefined) reply.rejoin = rejoin;
    return reply;
  }

  /** A member leaves: its partitions are free at once (it promises to have stopped). */
  leave(memberId: string, now = Date.now()): void {
    if (!this.#members.has(memberId))
      throw new EdgelogError("UNKNOWN_MEMBER_ID", `member ${memberId} is not in the group`);
    this.#remove(memberId);
    this.#retarget(this.#partitions);
    this.#trackRevocations(now);
    this.#flush();
  }

  /**
   * Removes members whose session ran out, and members that kept partitions they were asked to
   * release past their rebalance timeout (fenced, as KIP-848 does, so the partitions can move on);
   * returns their ids.
   */
  expire(now: number): string[] {
    const gone = [...this.#members.values()]
      .filter((m) => m.deadline <= now || (m.revokeBy !== null && m.revokeBy <= now))
      .map((m) => m.id);
    if (gone.length === 0) return gone;
    for (const id of gone) this.#remove(id);
    this.#retarget(this.#partitions);
    this.#trackRevocations(now);
    this.#flush();
    return gone;
  }

  /** The earliest session or revocation deadline, for the object's alarm. */
  nextDeadline(): number | null {
    let next: number | null = null;
    for (const m of this.#members.values()) {
      for (const d of [m.deadline, m.revokeBy]) if (d !== null && (next === null || d < next)) next = d;
    }
    return next;
  }

  /**
   * Starts (or stops) each member's revocation clock: a member holding a partition its target no
   * longer has (given, or still reported) must let go within its rebalance timeout.
   */
  #trackRevocations(now: number): void {
    for (const m of this.#members.values()) {
      const mustRelease = [...m.assigned, ...m.owned].some((k) => !m.target.has(k));
      const revokeBy = mustRelease ? (m.revokeBy ?? now + m.rebalanceTimeoutMs) : null;
      if (revokeBy !== m.revokeBy) {
        m.revokeBy = revokeBy;
        this.#dirty.add(m.id);
      }
    }
  }

  /** Throws unless the member (or, with no member id, an empty group) may commit these partitions. */
  checkCommit(memberId: string | null, epoch: number | undefined, keys: Iterable<string>): void {
    requireCommitAllowed(this.#members, memberId, epoch, keys);
  }

  /** Throws unless the group's committed offsets of `topic` may be deleted (no member subscribes to it). */
  checkOffsetDelete(topic: string): void {
    requireOffsetDeletable(this.#members, topic);
  }

  describeMembers() {
    return describeMembers(this.#members);
  }

  /** empty: no members; stable: every member holds exactly its target; else reconciling. */
  state(): "empty" | "stable" | "reconciling" {
    return groupState(this.#members);
  }

  /** Owner (member holding it as assigned) of each partition, for lag reports. */
  owners(): Map<string, string> {
    return partitionOwners(this.#members);
  }

  /** Forgets the group's membership state (the group is empty; offsets are the caller's). */
  clear(): void {
    this.#sql.exec(`DELETE FROM group_state`);
    this.#groupId = null;
    this.#epoch = 0;
    this.#partitions = new Map();
  }

  #setGroupId(groupId: string): void {
    if (this.#groupId !== groupId) {
      this.#groupId = groupId;
      this.#groupDirty = true;
    }
  }

  #metadataChanged(partitions: ReadonlyMap<string, number>): boolean {
    for (const t of this.subscribedTopics())
      if ((partitions.get(t) ?? 0) !== (this.#partitions.get(t) ?? 0)) return true;
    return false;
  }

  /** The assignor most members ask for (ties by name), or the default when none asks. */
  #pickAssignor(): AssignorName {
    const votes = new Map<AssignorName, number>();
    for (const m of this.#members.values()) if (m.assignor) votes.set(m.assignor, (votes.get(m.assignor) ?? 0) + 1);
    let best: AssignorName = DEFAULT_ASSIGNOR;
    let most = 0;
    for (const [name, n] of [...votes].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (n > most) [best, most] = [name, n];
    }
    return best;
  }

  /** Recomputes every member's target; the group epoch counts these recomputations. */
  #retarget(partitions: ReadonlyMap<string, number>): void {
    const subscribed = this.subscribedTopics();
    this.#partitions = new Map(
      subscribed.filter((t) => (partitions.get(t) ?? 0) > 0).map((t) => [t, partitions.get(t)!]),
    );
    this.#assignor = this.#pickAssignor();
    const members = [...this.#members.values()];
    const result = ASSIGNORS[this.#assignor]({
      members: members.map((m) => ({ id: m.id, instanceId: m.instanceId, topics: m.topics })),
      partitions: this.#partitions,
      previous: new Map(members.map((m) => [m.id, [...m.target].map(fromKey)])),
    });
    for (const m of members) {
      const target = new Set((result.get(m.id) ?? []).map((tp) => tpKey(tp.topic, tp.partition)));
      if (!sameSet(target, m.target)) {
        m.target = target;
        this.#dirty.add(m.id);
      }
    }
    this.#epoch += 1;
    this.#groupDirty = true;
  }

  /** Partitions held by members other than `except` (given to them, or still reported by them). */
  #heldByOthers(except: Member): Set<string> {
    const held = new Set<string>();
    for (const o of this.#members.values()) {
      if (o === except) continue;
      for (const k of o.assigned) held.add(k);
      for (const k of o.owned) held.add(k);
    }
    return held;
  }

  /** The member's next assignment: keep what is still targeted, add targeted partitions nobody else holds. */
  #reconciled(m: Member): Set<string> {
    const held = this.#heldByOthers(m);
    const next = new Set<string>();
    for (const k of m.target) if (m.assigned.has(k) || !held.has(k)) next.add(k);
    return next;
  }

  #reconcile(m: Member): void {
    const next = this.#reconciled(m);
    if (!sameSet(next, m.assigned)) {
      m.assigned = next;
      m.epoch += 1;
    }
  }

  #remove(id: string): void {
    this.#members.delete(id);
    this.#dirty.add(id);
  }

  #flush(): void {
    for (const id of this.#dirty) {
      const m = this.#members.get(id);
      if (!m) {
        this.#sql.exec(`DELETE FROM members WHERE member_id = ?`, id);
        continue;
      }
      saveMember(this.#sql, m);
    }
    this.#dirty.clear();
    if (this.#groupDirty && this.#groupId !== null) {
      this.#sql.exec(
        `INSERT OR REPLACE INTO group_state (id, group_id, epoch, assignor, partitions) VALUES (0, ?, ?, ?, ?)`,
        this.#groupId,
        this.#epoch,
        this.#assignor,
        JSON.stringify([...this.#partitions]),
      );
    }
    this.#groupDirty = false;
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  const x = [...new Set(a)].sort();
  const y = [...new Set(b)].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
}
