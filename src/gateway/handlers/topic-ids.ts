// Kafka's topic ids (KIP-516: Fetch v13+, Metadata v10+, DeleteTopics v6, KIP-848 assignments) are
// edgelog's topic UUIDs. The gateway learns the mapping from every topic listing it makes, and lists
// again when asked for an id it has not seen.

import type { TopicReply } from "../../protocol/api.js";
import { ZERO_UUID } from "../wire/codec.js";
import type { RequestContext } from "./context.js";

/** A topic as listed; `config` (when known) says whether it is geo-replicated (its leader epochs move). */
export type TopicInfo = Pick<TopicReply, "name" | "id" | "partitions"> & { config?: TopicReply["config"] };

/** Per upstream (its token decides which topics it may see): id to topic, and name to topic. */
const known = new WeakMap<object, { byId: Map<string, TopicInfo>; byName: Map<string, TopicInfo> }>();

function maps(ctx: RequestContext) {
  let m = known.get(ctx.upstream);
  if (!m) known.set(ctx.upstream, (m = { byId: new Map(), byName: new Map() }));
  return m;
}

/** Remembers topics the gateway was told about (a listing, a describe, a create). */
export function remember(ctx: RequestContext, topics: Iterable<TopicInfo>): void {
  const m = maps(ctx);
  for (const t of topics) {
    const before = m.byName.get(t.name);
    // A topic deleted and created again has a new id: the old one must no longer resolve.
    if (before && before.id !== t.id) m.byId.delete(before.id);
    m.byId.set(t.id, t);
    m.byName.set(t.name, t);
  }
}

/** Every topic the connection's token may describe, following GET /v1/topics page by page. */
export async function listTopics(ctx: RequestContext): Promise<Map<string, TopicInfo>> {
  const topics = await ctx.upstream.listTopics(ctx.signal);
  remember(ctx, topics);
  return new Map(topics.map((t) => [t.name, t]));
}

/** The topics with these ids (listing again once if one is unknown); unknown ids are absent. */
export async function topicsById(ctx: RequestContext, ids: Iterable<string>): Promise<Map<string, TopicInfo>> {
  const wanted = [...new Set(ids)].filter((id) => id !== ZERO_UUID);
  const m = maps(ctx);
  if (wanted.some((id) => !m.byId.has(id))) await listTopics(ctx);
  return new Map(wanted.flatMap((id) => (m.byId.has(id) ? [[id, m.byId.get(id)!]] : [])));
}

/** A topic by name, when listed or described before. */
export function infoOf(ctx: RequestContext, name: string): TopicInfo | undefined {
  return maps(ctx).byName.get(name);
}

/** A topic's id by name, when known (ZERO_UUID, Kafka's "no id", otherwise). */
export function idOf(ctx: RequestContext, name: string): string {
  return maps(ctx).byName.get(name)?.id ?? ZERO_UUID;
}

/** The ids of these topic names, listing once if one is not known yet. */
export async function idsOf(ctx: RequestContext, names: Iterable<string>): Promise<Map<string, string>> {
  const m = maps(ctx);
  const list = [...new Set(names)];
  if (list.some((n) => !m.byName.has(n))) await listTopics(ctx).catch(() => undefined);
  return new Map(list.map((n) => [n, idOf(ctx, n)]));
}
