// Leader routes of geo-replicated topics. Kafka's ElectLeaders (kafka-leader-election.sh) moves a
// partition's leadership back to its home copy (preferred), or to a named region, through the
// topic's election authority, which refuses a copy outside the in-sync set unless the election is
// unclean; OffsetForLeaderEpoch tells a client where an epoch ends on the leader (KIP-320).

import type { Context } from "hono";
import type { z } from "zod";
import type { AppEnv } from "./app-env.js";
import { electAndTell } from "../leadership/authority.js";
import { HOME, replicasOf, type LeadershipRecord } from "../leadership/record.js";
import {
  ElectLeadersReplySchema,
  ElectLeadersSchema,
  LeaderEpochEndSchema,
  LeaderEpochQuerySchema,
} from "../protocol/api.js";
import { EdgelogError, unwrap } from "../protocol/errors.js";
import { topicRef } from "../protocol/topic.js";
import { authorityOf, copyStub, onLeader, rememberLeader } from "./leaders.js";
import { topics } from "./objects.js";
import { partitionParam, pathParam } from "./params.js";
import { onTopic } from "./permissions.js";
import { route, type Route } from "./route.js";

export const electionRoutes: Route[] = [
  route({
    method: "POST",
    path: "/v1/topics/:topic/elect-leaders",
    summary:
      "Elect partition leaders of a geo-replicated topic (Kafka's ElectLeaders): back to the home copy, or to an in-sync region",
    permission: onTopic("admin"),
    body: ElectLeadersSchema,
    bodyOptional: true,
    ok: { status: 200, schema: ElectLeadersReplySchema },
    handler: (c, { body }) => electLeaders(c, body),
  }),
  route({
    method: "GET",
    path: "/v1/topics/:topic/partitions/:p/offset-for-leader-epoch",
    summary:
      "Kafka's OffsetForLeaderEpoch: the largest leader epoch at or below `epoch` and where it ends on the leader",
    permission: onTopic("describe"),
    query: LeaderEpochQuerySchema,
    ok: { status: 200, schema: LeaderEpochEndSchema },
    handler: async (c, { query }) => {
      const p = partitionParam(pathParam(c, "p"));
      const topic = await topics.withPartition(c.env, pathParam(c, "topic"), p);
      return c.json(await onLeader(c.env, topic, p, (stub, ref) => stub.endOffsetForEpoch(ref, query.epoch), true));
    },
  }),
];

async function electLeaders(c: Context<AppEnv>, input: z.output<typeof ElectLeadersSchema>): Promise<Response> {
  const name = pathParam(c, "topic");
  const topic = await topics.get(c.env, name, true);
  const replicas = replicasOf(topic.config);
  if (replicas.length === 1) {
    throw new EdgelogError(
      "INVALID_REQUEST",
      `topic ${name} has no replica.regions: its partitions have one copy each, so there is no leader to elect`,
    );
  }
  const candidate = input.election_type === "preferred" ? (input.region ?? HOME) : input.region;
  if (candidate === undefined || !replicas.includes(candidate)) {
    throw new EdgelogError(
      "INVALID_REQUEST",
      candidate === undefined
        ? `a ${input.election_type} election names the region to elect`
        : `topic ${name} has no copy in ${candidate}; its copies are ${replicas.join(", ")}`,
    );
  }
  const unclean = input.election_type === "unclean";
  if (unclean && !topic.config["unclean.leader.election.enable"]) {
    throw new EdgelogError(
      "ELIGIBLE_LEADERS_NOT_AVAILABLE",
      `topic ${name} has unclean.leader.election.enable false: an unclean election could lose acknowledged records`,
    );
  }
  const partitions = input.partitions ?? Array.from({ length: topic.partitions }, (_, p) => p);
  for (const p of partitions) {
    if (p >= topic.partitions) {
      throw new EdgelogError("UNKNOWN_TOPIC_OR_PARTITION", `topic ${name} has no partition ${p}`);
    }
  }
  const authority = authorityOf(c.env, topic);
  const out: { partition: number; leader: string; leader_epoch: number }[] = [];
  for (const p of partitions) {
    const ref = topicRef(topic, p);
    let record: LeadershipRecord | null;
    try {
      record = await electAndTell(
        authority,
        async (to, r) => unwrap(await copyStub(c.env, topic, p, to).adopt(ref, to, r)),
        ref,
        { leaderFailed: false, candidate, unclean },
      );
    } catch (e) {
      // Already leading: nothing to do, as Kafka's ELECTION_NOT_NEEDED is no failure to the tool.
      if (!(e instanceof EdgelogError && e.code === "ELECTION_NOT_NEEDED")) throw e;
      record = await authority.record(p);
    }
    if (record) rememberLeader(topic, p, record);
    out.push({ partition: p, leader: record?.leader ?? HOME, leader_epoch: record?.epoch ?? 0 });
  }
  return c.json({ partitions: out });
}
