// A consumer-group member driven in slices: each slice heartbeats when due, applies the assignment
// (committing before it gives a partition up), fetches, hands records to a runner and commits on
// its interval. A Durable Object drives slices from alarms; a Node process from a loop.

import type { CommittedOffsetsReply, HeartbeatReply, MultiFetchReply, OffsetReply } from "../protocol/api.js";
import { EdgelogError } from "../protocol/errors.js";
import { fromBase64 } from "../util/base64.js";
import { utf8Encoder } from "../util/utf8.js";
import { errorFromBody, type Transport } from "../client/transport.js";
import type {
  AssignedPartition,
  GroupMetadata,
  MemberRecord,
  MemberRunner,
  PartitionOffset,
  TopicPartition,
} from "./runner.js";

export interface MemberOptions {
  group: string;
  topics: string[];
  /** Static membership (Kafka's group.instance.id): a restart under the same id takes its partitions back at once. */
  instanceId?: string;
  sessionTimeoutMs?: number;
  rebalanceTimeoutMs?: number;
  assignor?: "range" | "roundrobin" | "sticky";
  /** Where to start a partition with no committed offset. Default earliest. */
  autoOffsetReset?: "earliest" | "latest";
  /** Commit processed positions at least this often. */
  commitIntervalMs: number;
  /** Long-poll of one fetch (capped by the time to the next heartbeat). Default 500 ms. */
  maxWaitMs?: number;
  maxBytes?: number;
  maxRecords?: number;
  /**
   * read_committed (exactly-once runners): fetches stop at the last stable offset and skip aborted
   * records, and committed offsets are read stable (a transaction's pending ones waited out).
   */
  isolationLevel?: "read_uncommitted" | "read_committed";
}

interface Position extends TopicPartition {
  offset: number;
  committed: number;
}

const tpKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;
const enc = encodeURIComponent;
const FENCED = new Set(["UNKNOWN_MEMBER_ID", "FENCED_MEMBER_EPOCH"]);

export class GroupMember {
  readonly #positions = new Map<string, Position>();
  #memberId: string | null = null;
  #epoch = 0;
  #heartbeatMs = 3_000;
  #nextHeartbeat = 0;
  #target = new Set<string>();
  #lastCommit: number;
  #beating?: Promise<void>;
  #fenced = false;

  constructor(
    private readonly http: Transport,
    private readonly runner: MemberRunner,
    private readonly opts: MemberOptions,
    private readonly clock: () => number = Date.now,
  ) {
    this.#lastCommit = clock();
  }

  get memberId(): string | null {
    return this.#memberId;
  }

  /** What fences a transactional offset commit: the group, this member's id and epoch (KIP-447). */
  groupMetadata(): GroupMetadata {
    return { groupId: this.opts.group, memberId: this.#memberId, memberEpoch: this.#epoch };
  }

  /** The partitions held now. */
  assignment(): TopicPartition[] {
    return [...this.#positions.values()].map(({ topic, partition }) => ({ topic, partition }));
  }

  /** ms until the next heartbeat is due (what an idle driver may wait). */
  get idleMs(): number {
    return Math.max(0, this.#nextHeartbeat - this.clock());
  }

  /**
   * One round: heartbeat if due, reconcile, one fetch, process, commit if due. Returns whether
   * any record was processed.
   */
  async slice(): Promise<boolean> {
    await this.#recoverIfFenced();
    if (this.#memberId === null || this.clock() >= this.#nextHeartbeat) await this.#beat();
    await this.#recoverIfFenced();
    await this.#reconcile();
    const processed = await this.#fetchAndProcess();
    if (this.clock() - this.#lastCommit >= this.opts.commitIntervalMs || this.runner.commitDue?.()) await this.commit();
    await this.runner.tick?.(this.clock());
    return processed;
  }

  /** Joins the group and takes up the first assignment, without fetching. */
  async join(): Promise<void> {
    if (this.#memberId === null) await this.#beat();
    await this.#reconcile();
  }

  /**
   * Heartbeats on a timer too, so a slice that takes long (a big restore, a slow batch) does not
   * cost the membership (a Node process; a Durable Object's short alarm slices beat themselves).
   * Returns the function that stops it.
   */
  startHeartbeats(checkEveryMs = 250): () => void {
    const timer = setInterval(() => {
      if (this.#memberId !== null && !this.#fenced && this.clock() >= this.#nextHeartbeat) {
        this.#beat().catch(() => undefined); // the next slice or tick tries again
      }
    }, checkEveryMs);
    return () => clearInterval(timer);
  }

  /** One heartbeat at a time, whoever asks (a slice or the timer). */
  #beat(): Promise<void> {
    this.#beating ??= this.#heartbeat().finally(() => {
      this.#beating = undefined;
    });
    return this.#beating;
  }

  /** Fenced (by a heartbeat, maybe the timer's): what we held may be another member's; drop it uncommitted, rejoin. */
  async #recoverIfFenced(): Promise<void> {
    if (!this.#fenced) return;
    await this.runner.revoked(this.assignment(), true);
    await this.#forget(false);
    this.#fenced = false;
    await this.#beat();
  }

  /**
   * Commits every held partition whose position moved (through the runner, which flushes first),
   * or output the runner holds uncommitted with no position moved (a punctuator's, in a transaction).
   */
  async commit(): Promise<void> {
    const moved = [...this.#positions.values()].filter((p) => p.offset !== p.committed);
    this.#lastCommit = this.clock();
    if (moved.length === 0 && !this.runner.hasUncommittedOutput?.()) return;
    const offsets = moved.map(({ topic, partition, offset }) => ({ topic, partition, offset }));
    // A heartbeat on its way may bring a new member epoch: a transactional commit carries it.
    await this.#beating?.catch(() => undefined);
    let committed: PartitionOffset[] = offsets;
    try {
      const outcome = await this.runner.commit(offsets, (list) => this.#commitOffsets(list), this.groupMetadata());
      if (outcome === "rewind") {
        await this.#rewind();
        return;
      }
      // A runner that made only part of its output durable commits, and answers, less.
      if (outcome) committed = outcome;
    } catch (e) {
      // Fenced meanwhile: the partitions' next owner resumes from the last commit (at least once).
      if (e instanceof EdgelogError && (FENCED.has(e.code) || e.code === "PARTITION_NOT_OWNED")) {
        this.#fenced = true;
        return;
      }
      throw e;
    }
    for (const o of committed) {
      const p = this.#positions.get(tpKey(o.topic, o.partition));
      if (p) p.committed = o.offset;
    }
  }

  /**
   * The runner's transaction aborted: its tasks are dropped uncommitted and every held partition is
   * taken up again (the next reconcile) from its committed offset, keeping the membership.
   */
  async #rewind(): Promise<void> {
    await this.runner.revoked(this.assignment(), true);
    this.#positions.clear();
  }

  /** Final commit, then leaves the group: its partitions move to the other members without loss. */
  async leave(): Promise<void> {
    try {
      if (this.#memberId !== null) await this.commit();
      await this.runner.revoked(this.assignment(), false);
    } finally {
      await this.#forget(true);
    }
  }

  /** Gives everything up without committing (after a failure): the group reassigns from the last commit. */
  async abandon(): Promise<void> {
    try {
      await this.runner.revoked(this.assignment(), true);
    } finally {
      await this.#forget(true);
    }
  }

  async #forget(leaveGroup: boolean): Promise<void> {
    // A heartbeat still out would bring the identity back once it answered.
    await this.#beating?.catch(() => undefined);
    const id = this.#memberId;
    this.#positions.clear();
    this.#target.clear();
    this.#memberId = null;
    this.#epoch = 0;
    if (leaveGroup && id !== null) {
      await this.http.request("DELETE", `/v1/groups/${enc(this.opts.group)}/members/${enc(id)}`).catch(() => undefined);
    }
  }

  async #heartbeat(): Promise<void> {
    const owned = new Map<string, number[]>();
    for (const p of this.#positions.values())
      (owned.get(p.topic) ?? owned.set(p.topic, []).get(p.topic)!).push(p.partition);
    const body: Record<string, unknown> = {
      member_id: this.#memberId,
      member_epoch: this.#epoch,
      topics: this.opts.topics,
      owned: [...owned].map(([topic, partitions]) => ({ topic, partitions })),
    };
    if (this.opts.instanceId) body.instance_id = this.opts.instanceId;
    if (this.opts.sessionTimeoutMs) body.session_timeout_ms = this.opts.sessionTimeoutMs;
    if (this.opts.rebalanceTimeoutMs) body.rebalance_timeout_ms = this.opts.rebalanceTimeoutMs;
    if (this.opts.assignor) body.assignor = this.opts.assignor;
    let reply: HeartbeatReply;
    try {
      reply = await this.http.request("POST", `/v1/groups/${enc(this.opts.group)}/heartbeat`, body, { retry: true });
    } catch (e) {
      if (e instanceof EdgelogError && FENCED.has(e.code) && this.#memberId !== null) {
        this.#fenced = true;
        return;
      }
      throw e;
    }
    this.#memberId = reply.member_id;
    this.#epoch = reply.member_epoch;
    this.#heartbeatMs = reply.heartbeat_interval_ms;
    this.#nextHeartbeat = this.clock() + this.#heartbeatMs;
    this.#target = new Set(reply.assignment.flatMap((a) => a.partitions.map((p) => tpKey(a.topic, p))));
  }

  /** Revoked partitions are committed, then released (and the coordinator told at once); new ones are set up. */
  async #reconcile(): Promise<void> {
    const revoked = [...this.#positions.keys()].filter((k) => !this.#target.has(k));
    if (revoked.length > 0) {
      await this.commit();
      const parts = revoked.map((k) => this.#positions.get(k)!).map(({ topic, partition }) => ({ topic, partition }));
      await this.runner.revoked(parts, false);
      for (const k of revoked) this.#positions.delete(k);
      await this.#beat();
    }
    const added = [...this.#target].filter((k) => !this.#positions.has(k));
    if (added.length === 0) return;
    if (this.runner.claim) {
      await this.runner.claim(
        added.map((k) => {
          const [topic, ps] = k.split("\u0000") as [string, string];
          return { topic, partition: Number(ps) };
        }),
      );
    }
    // read_committed waits out offsets a transaction still holds (Kafka's RequireStable, KIP-447):
    // UNSTABLE_OFFSET_COMMIT is retriable, and retried until that transaction ends.
    const stable = this.opts.isolationLevel === "read_committed" ? "?require_stable=true" : "";
    const committed = await this.http.request<CommittedOffsetsReply>(
      "GET",
      `/v1/groups/${enc(this.opts.group)}/offsets${stable}`,
      undefined,
      { retry: stable ? { maxElapsedMs: 120_000 } : true },
    );
    const assigned: AssignedPartition[] = [];
    for (const k of added) {
      const [topic, ps] = k.split("\u0000") as [string, string];
      const partition = Number(ps);
      const c = committed.offsets.find((o) => o.topic === topic && o.partition === partition);
      const offset = c ? c.offset : await this.#resetOffset(topic, partition);
      this.#positions.set(k, { topic, partition, offset, committed: c ? c.offset : -1 });
      assigned.push({ topic, partition, offset, metadata: c?.metadata ?? null });
    }
    await this.runner.assigned(assigned);
  }

  async #resetOffset(topic: string, partition: number): Promise<number> {
    const at = (this.opts.autoOffsetReset ?? "earliest") === "earliest" ? "earliest" : "latest";
    const r = await this.http.request<OffsetReply>(
      "GET",
      `/v1/topics/${enc(topic)}/partitions/${partition}/offsets?at=${at}`,
      undefined,
      { retry: true },
    );
    return r.offset;
  }

  async #fetchAndProcess(): Promise<boolean> {
    const active = [...this.#positions.values()].filter((p) => this.runner.fetchable?.(p) ?? true);
    if (active.length === 0) return false;
    const asked = new Map(active.map((p) => [tpKey(p.topic, p.partition), p.offset]));
    const body: Record<string, unknown> = {
      partitions: active.map(({ topic, partition, offset }) => ({ topic, partition, offset })),
      wait_ms: Math.min(this.opts.maxWaitMs ?? 500, this.idleMs),
      format: "binary",
    };
    if (this.opts.maxBytes) body.max_bytes = this.opts.maxBytes;
    if (this.opts.maxRecords) body.max_records = this.opts.maxRecords;
    if (this.opts.isolationLevel === "read_committed") body.isolation = "read_committed";
    const reply = await this.http.request<MultiFetchReply>("POST", "/v1/fetch", body, { retry: true });
    let processed = false;
    for (const part of reply.partitions) {
      const k = tpKey(part.topic, part.partition);
      const p = this.#positions.get(k);
      if (!p || asked.get(k) !== p.offset) continue;
      if (part.error) {
        if (part.error.code === "OFFSET_OUT_OF_RANGE") {
          p.offset =
            (this.opts.autoOffsetReset ?? "earliest") === "earliest"
              ? (part.log_start_offset ?? 0)
              : (part.high_watermark ?? p.offset);
          continue;
        }
        const e = errorFromBody(part.error);
        throw new EdgelogError(e.code, `${part.topic}/${part.partition}: ${e.message}`);
      }
      const records = (part.records ?? []).filter((r) => r.offset >= p.offset).map(toMemberRecord);
      if (records.length > 0) {
        await this.runner.process({
          topic: part.topic,
          partition: part.partition,
          records,
          highWatermark: part.high_watermark ?? -1,
        });
        processed = true;
        p.offset = records.at(-1)!.offset + 1;
      }
      // Offsets compaction removed still move the position on.
      if (part.next_offset !== undefined && part.next_offset > p.offset) p.offset = part.next_offset;
    }
    return processed;
  }

  async #commitOffsets(offsets: PartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    const send = () =>
      this.http.request(
        "POST",
        `/v1/groups/${enc(this.opts.group)}/offsets`,
        {
          member_id: this.#memberId,
          member_epoch: this.#epoch,
          offsets: offsets.map(({ topic, partition, offset, metadata }) => ({
            topic,
            partition,
            offset,
            ...(metadata != null ? { metadata } : {}),
          })),
        },
        { retry: true },
      );
    try {
      await send();
    } catch (e) {
      // An epoch the coordinator moved on from: learn the current one and commit again.
      if (!(e instanceof EdgelogError) || e.code !== "STALE_MEMBER_EPOCH") throw e;
      await this.#beat();
      await send();
    }
  }
}

export function toMemberRecord(r: {
  offset: number;
  timestamp: number;
  key?: string | null;
  key_b64?: string;
  value?: unknown;
  value_b64?: string;
  headers?: Record<string, string | null>;
  headers_b64?: Record<string, string | null>;
}): MemberRecord {
  const key = r.key_b64 !== undefined ? fromBase64(r.key_b64) : r.key == null ? null : utf8Encoder.encode(r.key);
  const rawValue = r.value_b64 ?? r.value;
  const value = rawValue == null ? null : fromBase64(rawValue as string);
  let headers = r.headers ?? {};
  if (r.headers_b64) {
    // Binary header values: carried as latin1 text would corrupt them; keep their base64 text.
    headers = { ...r.headers_b64 };
  }
  return { offset: r.offset, timestamp: r.timestamp, key, value, headers };
}
