// GroupCoordinatorDO: one consumer group. A thin adapter from RPC to the group state machine
// (group.ts) and offset store, adding what needs other objects: topic metadata, high watermarks.

import { DurableObject } from "cloudflare:workers";
import { type Env } from "../env.js";
import { readSettings, type GroupSettings } from "../settings.js";
import type {
  CommitOffsetsRequest,
  GroupDescription,
  HeartbeatReply,
  HeartbeatRequest,
  ResetOffsetsRequest,
} from "../protocol/api.js";
import { OFFSET_METADATA_MAX_CHARS } from "../protocol/constants.js";
import { EdgelogError, unwrap, type Result } from "../protocol/errors.js";
import { rpc } from "../contracts/rpc.js";
import { topicRef, type Topic } from "../protocol/topic.js";
import { TopicCache } from "../protocol/topic-cache.js";
import { fromKey, Group, tpKey } from "./group.js";
import { coordinatorKv, type CoordinatorKeys } from "./keys.js";
import { GroupMetrics } from "./metrics.js";
import { OffsetStore } from "./offsets.js";
import { TxnOffsets } from "./txn-offsets.js";
import type { TypedKv } from "../util/kv.js";
import type { OffsetSpec } from "../contracts/partition.js";
import type { CoordinatorRpc, GroupSummary, TxnOffsetCommit } from "../contracts/coordinator.js";
import type { TxnMarker } from "../contracts/transactions.js";
import type { IsolationLevel } from "../protocol/constants.js";
import { clusterObject, partitionObject, txnCoordinatorObject } from "../objects.js";

export class GroupCoordinatorDO extends DurableObject<Env> implements CoordinatorRpc {
  readonly #config: GroupSettings;
  readonly #kv: TypedKv<CoordinatorKeys>;
  #group!: Group;
  #offsets!: OffsetStore;
  #txnOffsets!: TxnOffsets;
  #alarmAt: number | null = null;
  /** Topic metadata by name (null for topics that do not exist), trusted for metadataMaxAgeMs. */
  readonly #topicCache: TopicCache<Topic | null>;
  readonly #metrics: GroupMetrics;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#config = readSettings(env).group;
    this.#metrics = new GroupMetrics(env, readSettings(env).metrics.pushMs);
    this.#topicCache = new TopicCache({
      ttlMs: this.#config.metadataMaxAgeMs,
      partitions: (t) => t?.partitions ?? 0,
    });
    this.#kv = coordinatorKv(ctx.storage);
    void ctx.blockConcurrencyWhile(async () => {
      this.#group = new Group(ctx.storage.sql);
      this.#offsets = new OffsetStore(ctx.storage.sql);
      this.#txnOffsets = new TxnOffsets(ctx.storage.sql);
      this.#alarmAt = await ctx.storage.getAlarm();
    });
  }

  async heartbeat(groupId: string, req: HeartbeatRequest): Promise<Result<HeartbeatReply>> {
    return rpc(async () => {
      const topics = await this.#topics(this.#group.subscribedTopics(req.topics ?? []));
      const counts = new Map([...topics].flatMap(([name, t]) => (t ? [[name, t.partitions] as const] : [])));
      const reply = this.#group.heartbeat(groupId, req, counts, this.#config, Date.now());
      this.#metrics.changed(groupId);
      await this.#schedule();
      await this.#register(groupId);
      return reply;
    });
  }

  async leave(groupId: string, memberId: string): Promise<Result<null>> {
    return rpc(async () => {
      this.#group.leave(memberId);
      this.#metrics.changed(groupId);
      await this.#schedule();
      return null;
    });
  }

  async commit(groupId: string, req: CommitOffsetsRequest): Promise<Result<null>> {
    return rpc(async () => {
      const memberId = req.member_id ?? null;
      const keys = checkOffsets(req.offsets);
      this.#group.checkCommit(memberId, req.member_epoch, keys);
      const resolved = await this.#resolve(req.offsets);
      // Membership may have moved while the partitions answered: check again right before writing.
      this.#group.checkCommit(memberId, req.member_epoch, keys);
      this.#offsets.put(resolved, Date.now());
      this.#metrics.changed(groupId);
      await this.#schedule();
      await this.#register(groupId);
      return null;
    });
  }

  /**
   * TxnOffsetCommit: fenced by the member's id and epoch exactly as a plain commit is (KIP-447),
   * checked with the transaction's coordinator (which registers the group with version 2), then
   * held until the transaction's marker.
   */
  async txnCommit(groupId: string, req: TxnOffsetCommit): Promise<Result<null>> {
    return rpc(async () => {
      const memberId = req.member_id ?? null;
      const keys = checkOffsets(req.offsets);
      // Without a member (TxnOffsetCommit before v3, kafkajs's sendOffsets) Kafka checks nothing
      // of the group, even a non-empty one: such a producer is fenced by its transactional id alone.
      const check = () => memberId !== null && this.#group.checkCommit(memberId, req.member_epoch, keys);
      check();
      const resolved = await this.#resolve(req.offsets);
      const { txnSeq } = unwrap(
        await txnCoordinatorObject(this.env, req.transactionalId).join(req.transactionalId, req.producer, {
          kind: "group",
          group: groupId,
        }),
      );
      check();
      this.#txnOffsets.stage({ producerId: req.producer.id, transactionalId: req.transactionalId, txnSeq }, resolved);
      await this.#register(groupId);
      return null;
    });
  }

  async completeTxn(_groupId: string, marker: TxnMarker): Promise<Result<null>> {
    return rpc(() => {
      this.#txnOffsets.complete(marker, Date.now());
      return null;
    });
  }

  /** Each offset's topic incarnation, checked against the partition's high watermark. */
  #resolve(offsets: readonly { topic: string; partition: number; offset: number; metadata?: string | null }[]) {
    return Promise.all(
      offsets.map(async (o) => {
        const topic = await this.#partitionTopic(o.topic, o.partition);
        const hw = (await this.#offsetAt(topic, o.partition, "latest")).offset;
        if (o.offset > hw) {
          throw new EdgelogError(
            "OFFSET_OUT_OF_RANGE",
            `offset ${o.offset} for ${o.topic} partition ${o.partition} is beyond the high watermark ${hw}`,
            { topic: o.topic, partition: o.partition, high_watermark: hw },
          );
        }
        return {
          topic: o.topic,
          partition: o.partition,
          topic_id: topic.id,
          offset: o.offset,
          metadata: o.metadata ?? null,
        };
      }),
    );
  }

  /**
   * Committed offsets of topics that still exist as the incarnation they were committed against,
   * and the partitions whose offsets a transaction still holds (OffsetFetch RequireStable).
   */
  async committed(opts: { topics?: string[] } = {}): Promise<
    Result<{
      offsets: { topic: string; partition: number; offset: number; metadata: string | null }[];
      pending: { topic: string; partition: number }[];
    }>
  > {
    return rpc(async () => {
      const listed = this.#offsets.list().filter((r) => !opts.topics || opts.topics.includes(r.topic));
      const rows = await this.#current(listed);
      return {
        offsets: rows.map((r) => ({ topic: r.topic, partition: r.partition, offset: r.offset, metadata: r.metadata })),
        pending: this.#txnOffsets.pending(opts.topics),
      };
    });
  }

  async describe(groupId: string, isolation?: IsolationLevel): Promise<Result<GroupDescription>> {
    return rpc(async () => {
      this.#mustExist(groupId);
      const topics = await this.#topics(this.#group.subscribedTopics());
      const committed = new Map(
        (await this.#current(this.#offsets.list())).map((r) => [tpKey(r.topic, r.partition), r.offset]),
      );
      const keys = new Set(committed.keys());
      for (const [name, t] of topics) for (let p = 0; p < (t?.partitions ?? 0); p++) keys.add(tpKey(name, p));
      const owners = this.#group.owners();
      const partitions = await Promise.all(
        [...keys].sort().map(async (k) => {
          const { topic, partition } = fromKey(k);
          const t = await this.#partitionTopic(topic, partition);
          const ends = unwrap(await partitionObject(this.env, t.id, partition).ends(topicRef(t, partition)));
          const end = isolation === "read_committed" ? ends.lastStableOffset : ends.highWatermark;
          const c = committed.get(k);
          return {
            topic,
            partition,
            member_id: owners.get(k) ?? null,
            committed_offset: c ?? null,
            high_watermark: ends.highWatermark,
            last_stable_offset: ends.lastStableOffset,
            lag: c === undefined ? null : end - c,
          };
        }),
      );
      partitions.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
      return {
        group_id: groupId,
        state: this.#group.state(),
        group_epoch: this.#group.epoch,
        assignor: this.#group.assignor,
        members: this.#group.describeMembers(),
        partitions,
      };
    });
  }

  /**
   * Forgets one partition's committed offset (Kafka's OffsetDelete): refused with
   * GROUP_SUBSCRIBED_TO_TOPIC while a member subscribes to the topic. No offset to forget is fine.
   */
  async deleteOffset(groupId: string, topic: string, partition: number): Promise<Result<null>> {
    return rpc(async () => {
      this.#mustExist(groupId);
      await this.#partitionTopic(topic, partition);
      // Checked after the lookup: a member may have subscribed meanwhile.
      this.#group.checkOffsetDelete(topic);
      this.#offsets.delete(topic, partition);
      return null;
    });
  }

  async summary(groupId: string): Promise<Result<GroupSummary>> {
    return rpc(() => ({ group_id: groupId, state: this.#group.state(), members: this.#group.memberCount }));
  }

  async resetOffsets(
    groupId: string,
    req: ResetOffsetsRequest,
  ): Promise<Result<{ offsets: { topic: string; partition: number; offset: number }[] }>> {
    return rpc(async () => {
      this.#mustBeEmpty("reset offsets of");
      const names = req.topics ?? [...new Set(this.#offsets.list().map((o) => o.topic))];
      if (names.length === 0)
        throw new EdgelogError(
          "INVALID_REQUEST",
          "topics: the group has no committed offsets; name the topics to reset",
        );
      const at: OffsetSpec = typeof req.to === "string" ? req.to : "timestamp" in req.to ? req.to.timestamp : "latest";
      const explicit = typeof req.to === "object" && "offset" in req.to ? req.to.offset : undefined;
      const perTopic = await Promise.all(
        [...new Set(names)].map(async (name) => {
          const topic = await this.#topic(name);
          return Promise.all(
            Array.from({ length: topic.partitions }, async (_, p) => {
              const found = (await this.#offsetAt(topic, p, at)).offset;
              if (explicit !== undefined && explicit > found) {
                throw new EdgelogError(
                  "OFFSET_OUT_OF_RANGE",
                  `offset ${explicit} is beyond the high watermark ${found} of ${name} partition ${p}`,
                  { topic: name, partition: p, high_watermark: found },
                );
              }
              return { topic: name, partition: p, topic_id: topic.id, offset: explicit ?? found, metadata: null };
            }),
          );
        }),
      );
      const entries = perTopic.flat();
      this.#mustBeEmpty("reset offsets of");
      this.#offsets.put(entries, Date.now());
      this.#metrics.changed(groupId);
      await this.#schedule();
      await this.#register(groupId);
      return { offsets: entries.map((e) => ({ topic: e.topic, partition: e.partition, offset: e.offset })) };
    });
  }

  async deleteGroup(groupId: string): Promise<Result<null>> {
    return rpc(async () => {
      this.#mustExist(groupId);
      this.#mustBeEmpty("delete");
      this.#offsets.clear();
      this.#txnOffsets.clear();
      this.#group.clear();
      this.#kv.delete("registered");
      unwrap(await clusterObject(this.env).forgetGroup(groupId));
      await this.#metrics.forget(groupId);
      return null;
    });
  }

  /** Session expiry: members that missed their deadline leave, and the group is reassigned. */
  override async alarm(): Promise<void> {
    this.#alarmAt = null;
    if (this.#group.expire(Date.now()).length > 0) this.#metrics.changed();
    await this.#metrics.push(this.#group, this.#offsets);
    await this.#schedule();
  }

  /** Keeps one alarm at (or before) the earliest session deadline or metrics push; an early alarm just re-arms. */
  async #schedule(): Promise<void> {
    const deadlines = [this.#group.nextDeadline(), this.#metrics.due()].filter((t): t is number => t !== null);
    const next = deadlines.length === 0 ? null : Math.min(...deadlines);
    if (next === null) {
      if (this.#alarmAt !== null) await this.ctx.storage.deleteAlarm();
      this.#alarmAt = null;
    } else if (this.#alarmAt === null || next < this.#alarmAt) {
      await this.ctx.storage.setAlarm(next);
      this.#alarmAt = next;
    }
  }

  /** Records the group in the controller's directory once it holds state, so GET /v1/groups lists it. */
  async #register(groupId: string): Promise<void> {
    if (this.#kv.get("registered") === groupId) return;
    unwrap(await clusterObject(this.env).registerGroup(groupId));
    this.#kv.put("registered", groupId);
  }

  #mustExist(groupId: string): void {
    if (this.#kv.get("registered") !== groupId) {
      throw new EdgelogError("GROUP_ID_NOT_FOUND", `group ${groupId} does not exist`);
    }
  }

  #mustBeEmpty(action: string): void {
    const n = this.#group.memberCount;
    if (n > 0)
      throw new EdgelogError("NON_EMPTY_GROUP", `cannot ${action} a group with ${n} member(s); stop them first`);
  }

  /** Topic metadata by name (null for topics that do not exist). */
  async #topics(names: readonly string[], fresh = false): Promise<Map<string, Topic | null>> {
    const load = (name: string) => async () => {
      const r = await clusterObject(this.env).getTopic(name);
      if (!r.ok && r.error.code !== "UNKNOWN_TOPIC_OR_PARTITION") throw EdgelogError.fromWire(r.error);
      return r.ok ? r.value : null;
    };
    const entries = await Promise.all(
      names.map(async (name) => [name, await this.#topicCache.get(name, load(name), fresh)] as const),
    );
    return new Map(entries);
  }

  async #topic(name: string): Promise<Topic> {
    const t = (await this.#topics([name])).get(name);
    if (!t) throw new EdgelogError("UNKNOWN_TOPIC_OR_PARTITION", `topic ${name} does not exist`);
    return t;
  }

  /** The topic, checked to have `partition` (refreshing once, in case it grew). */
  async #partitionTopic(name: string, partition: number): Promise<Topic> {
    let t = (await this.#topics([name])).get(name);
    if (!t || partition >= t.partitions) t = (await this.#topics([name], true)).get(name);
    if (!t) throw new EdgelogError("UNKNOWN_TOPIC_OR_PARTITION", `topic ${name} does not exist`);
    if (partition >= t.partitions) {
      throw new EdgelogError("UNKNOWN_TOPIC_OR_PARTITION", `topic ${name} has no partition ${partition}`);
    }
    return t;
  }

  async #offsetAt(topic: Topic, partition: number, at: OffsetSpec) {
    const stub = partitionObject(this.env, topic.id, partition);
    return unwrap(await stub.offsets(topicRef(topic, partition), at));
  }

  /** Drops offsets whose topic was deleted (or deleted and recreated under a new id). */
  async #current<T extends { topic: string; topic_id: string }>(rows: T[]): Promise<T[]> {
    const topics = await this.#topics([...new Set(rows.map((r) => r.topic))]);
    return rows.filter((r) => topics.get(r.topic)?.id === r.topic_id);
  }
}

/** A commit's offsets, checked before anything is asked of other objects: the partition keys. */
function checkOffsets(offsets: readonly { topic: string; partition: number; metadata?: string | null }[]): string[] {
  const keys = offsets.map((o) => tpKey(o.topic, o.partition));
  if (new Set(keys).size !== keys.length)
    throw new EdgelogError("INVALID_REQUEST", "offsets: a partition appears twice");
  for (const o of offsets) {
    if ((o.metadata?.length ?? 0) > OFFSET_METADATA_MAX_CHARS) {
      throw new EdgelogError(
        "INVALID_COMMIT_OFFSET_SIZE",
        `metadata for ${o.topic} partition ${o.partition} is over ${OFFSET_METADATA_MAX_CHARS} characters`,
      );
    }
  }
  return keys;
}
