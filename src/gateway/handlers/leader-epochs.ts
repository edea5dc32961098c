// Partition leader epochs as the gateway reports and checks them (KIP-320): Metadata names each
// partition's epoch, and a Fetch, ListOffsets or OffsetForLeaderEpoch naming a CurrentLeaderEpoch
// is refused with FENCED_LEADER_EPOCH when a newer epoch has begun (the client's metadata is
// stale) and UNKNOWN_LEADER_EPOCH when the client knows one the gateway has not seen yet.

import { KAFKA, NONE } from "../errors.js";
import type { RequestContext } from "./context.js";
import { infoOf } from "./topic-ids.js";

/** Per upstream (its token decides what it may describe): each topic's epochs, by partition. */
const known = new WeakMap<object, Map<string, number[]>>();

function cacheOf(ctx: RequestContext): Map<string, number[]> {
  let m = known.get(ctx.upstream);
  if (!m) known.set(ctx.upstream, (m = new Map()));
  return m;
}

/**
 * A topic's leader epochs, by partition. A topic without replica regions never elects: its one
 * copy leads epoch 0, known without asking. A geo-replicated topic's come from its description
 * (each partition's leader epoch), fresh when `fresh` or not seen before.
 */
export async function leaderEpochs(
  ctx: RequestContext,
  topic: { name: string; partitions: number; config?: Record<string, unknown> },
  fresh = false,
): Promise<number[]> {
  const regions = topic.config?.["replica.regions"];
  if (Array.isArray(regions) && regions.length === 0) return new Array<number>(topic.partitions).fill(0);
  const cache = cacheOf(ctx);
  const cached = cache.get(topic.name);
  if (cached && !fresh) return cached;
  const d = await ctx.upstream.describeTopic(topic.name, ctx.signal);
  const byPartition = new Map(d.partitions.map((p) => [p.partition, p.leader_epoch ?? 0]));
  const epochs = Array.from({ length: d.partition_count }, (_, p) => byPartition.get(p) ?? 0);
  cache.set(topic.name, epochs);
  return epochs;
}

/**
 * KIP-320's check of a request's CurrentLeaderEpoch (-1: the client does not say, nothing to
 * check). A mismatch with the remembered epoch is checked again against a fresh description
 * before refusing. NONE lets the call proceed; so does a topic the gateway cannot describe (the
 * call itself then answers its error).
 */
export async function checkLeaderEpoch(
  ctx: RequestContext,
  topic: string,
  partition: number,
  current: number | undefined,
): Promise<number> {
  if (current === undefined || current < 0) return NONE;
  try {
    const info = infoOf(ctx, topic) ?? { name: topic, partitions: partition + 1 };
    let epoch = (await leaderEpochs(ctx, info))[partition];
    if (epoch !== current) epoch = (await leaderEpochs(ctx, info, true))[partition];
    if (epoch === undefined || epoch === current) return NONE;
    return current < epoch ? KAFKA.FENCED_LEADER_EPOCH : KAFKA.UNKNOWN_LEADER_EPOCH;
  } catch {
    return NONE;
  }
}
