// DeleteRecords (a partition's log start offset moves up) and OffsetForLeaderEpoch (where a leader
// epoch ends on the partition's leader, from its leader-epoch checkpoint: consumers check their
// position against it after a failover, KIP-320).

import { MAX_PARTITIONS } from "../../protocol/constants.js";
import { DENIED, failure, KAFKA, NONE } from "../errors.js";
import type { Handler } from "./context.js";
import { fanOutPartitions } from "./fan-out.js";
import { checkLeaderEpoch } from "./leader-epochs.js";
import { validName } from "./topics.js";

export const deleteRecords: Handler = async (req, ctx) => {
  const topics = req.Topics as { Name: string; Partitions: { PartitionIndex: number; Offset: number }[] }[];
  const done = await fanOutPartitions(topics, async (t, p) => {
    const answer = (code: number, low = -1) => ({
      PartitionIndex: p.PartitionIndex,
      LowWatermark: low,
      ErrorCode: code,
    });
    if (!validName(t.Name) || p.PartitionIndex < 0 || p.PartitionIndex >= MAX_PARTITIONS)
      return answer(KAFKA.UNKNOWN_TOPIC_OR_PARTITION);
    if (p.Offset < -1) return answer(KAFKA.OFFSET_OUT_OF_RANGE);
    try {
      const r = await ctx.upstream.deleteRecords(t.Name, p.PartitionIndex, p.Offset, ctx.signal);
      return answer(NONE, r.log_start_offset);
    } catch (e) {
      return answer(failure(e, KAFKA.NOT_LEADER_OR_FOLLOWER, DENIED.topic));
    }
  });
  return { ThrottleTimeMs: 0, Topics: done.map(({ topic, answers }) => ({ Name: topic.Name, Partitions: answers })) };
};

export const offsetForLeaderEpoch: Handler = async (req, ctx) => {
  const topics = req.Topics as {
    Topic: string;
    Partitions: { Partition: number; LeaderEpoch: number; CurrentLeaderEpoch?: number }[];
  }[];
  const done = await fanOutPartitions(topics, async (t, p) => {
    const answer = (code: number, epoch = -1, end = -1) => ({
      ErrorCode: code,
      Partition: p.Partition,
      LeaderEpoch: epoch,
      EndOffset: end,
    });
    if (!validName(t.Topic) || p.Partition < 0 || p.Partition >= MAX_PARTITIONS)
      return answer(KAFKA.UNKNOWN_TOPIC_OR_PARTITION);
    const fenced = await checkLeaderEpoch(ctx, t.Topic, p.Partition, p.CurrentLeaderEpoch);
    if (fenced !== NONE) return answer(fenced);
    try {
      const r = await ctx.upstream.offsetForLeaderEpoch(t.Topic, p.Partition, p.LeaderEpoch, ctx.signal);
      return answer(NONE, r.leader_epoch, r.end_offset);
    } catch (e) {
      return answer(failure(e, KAFKA.NOT_LEADER_OR_FOLLOWER, DENIED.topic));
    }
  });
  return { ThrottleTimeMs: 0, Topics: done.map(({ topic, answers }) => ({ Topic: topic.Topic, Partitions: answers })) };
};
