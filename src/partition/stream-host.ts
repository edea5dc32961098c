// A partition object's Durable Streams side, so PartitionDO stays an adapter: a stream is partition
// 0 of a `stream.<name>` topic, and each call is one transaction over its log (src/durable-streams).

import type {
  AppendStreamRequest,
  CreateStreamRequest,
  DeleteOutcome,
  ForkSource,
  OffsetParam,
  StreamPosition,
  StreamRead,
  StreamReply,
} from "../contracts/durable-streams.js";
import { appendToStream, bodyValues } from "../durable-streams/append.js";
import { parseOffsetToken, STREAM_TOPIC_PREFIX } from "../durable-streams/protocol.js";
import { StreamStore } from "../durable-streams/store.js";
import type { LogStorage, PartitionLog } from "../log/partition-log.js";
import type { TopicRef } from "../protocol/topic.js";
import type { Waiters } from "./waiters.js";

export interface StreamHostParts {
  storage: LogStorage;
  /** The partition's log, for this topic (throws when the topic was deleted). */
  open(ref: TopicRef): PartitionLog;
  /** Long-polls parked at a stream's tail, woken by appends, closes and deletes. */
  waiters: Waiters;
  /** Records were appended: background work (roll, retention) may be due, as for any topic. */
  appended(log: PartitionLog, ref: TopicRef): Promise<void>;
}

export class StreamHost {
  constructor(private readonly parts: StreamHostParts) {}

  create(ref: TopicRef, req: CreateStreamRequest): StreamReply {
    return this.#call(ref, (s, now) =>
      s.create(req, bodyValues(req.contentType, req.body, true), now, ref.config["max.message.bytes"]),
    );
  }

  async append(ref: TopicRef, req: AppendStreamRequest): Promise<StreamReply> {
    let reply: StreamReply;
    try {
      reply = this.#call(ref, (s, now) => appendToStream(s, req, now, ref.config["max.message.bytes"]));
    } finally {
      this.parts.waiters.notifyAll();
    }
    await this.parts.appended(this.parts.open(ref), ref);
    return reply;
  }

  head(ref: TopicRef): StreamReply {
    return this.#call(ref, (s, now) => s.head(now));
  }

  /** Reads from `from`; with waitMs, parks at the tail of an open stream until an append or close. */
  async read(ref: TopicRef, from: OffsetParam, waitMs: number): Promise<StreamRead> {
    const first = this.#call(ref, (s, now) => s.read(from, now));
    if (waitMs <= 0 || first.messages.length > 0 || first.closed) return first;
    if (!(await this.parts.waiters.wait(waitMs))) return first;
    const at = parseOffsetToken(first.next)!;
    return this.#call(ref, (s, now) => s.read({ kind: "at", position: at, token: first.next }, now));
  }

  delete(ref: TopicRef): DeleteOutcome {
    try {
      return this.#call(ref, (s, now) => s.delete(now));
    } finally {
      this.parts.waiters.notifyAll();
    }
  }

  /** Whether an expired stream's topic should now be removed (and which source it held a fork of). */
  reap(ref: TopicRef): DeleteOutcome {
    return this.#call(ref, (s, now) => {
      const m = s.meta();
      return { destroy: m !== undefined && s.isExpired(m, now), forkedFrom: m?.forked_from ?? null };
    });
  }

  forkSource(ref: TopicRef, offset: StreamPosition | null, subOffset: number): ForkSource {
    return this.#call(ref, (s, now) => s.forkSource(offset, subOffset, now));
  }

  addFork(ref: TopicRef): null {
    this.#call(ref, (s) => s.addFork());
    return null;
  }

  releaseFork(ref: TopicRef): DeleteOutcome {
    return this.#call(ref, (s) => s.releaseFork());
  }

  /** One transaction, so a call that fails half way (a too-large body after the create) writes nothing. */
  #call<T>(ref: TopicRef, fn: (s: StreamStore, now: number) => T): T {
    const log = this.parts.open(ref);
    const store = new StreamStore(this.parts.storage, log, ref.name.slice(STREAM_TOPIC_PREFIX.length));
    return log.transaction(() => fn(store, Date.now()));
  }
}
