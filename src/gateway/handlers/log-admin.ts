// DeleteRecords (a partition's log start offset moves up) and OffsetForLeaderEpoch (edgelog keeps
// one leader epoch per partition, 0, so every epoch ends at the log end).

import { MAX_PARTITIONS } from "../../protocol/constants.js";
import { DENIED, failure, KAFKA, NONE } from "../errors.js";
import type { Handler } from "./context.js";
import { fanOutPartitions } from "./fan-out.js";
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
  const topics = req.Topics as { Topic: string; Partitions: { Partition: number; LeaderEpoch: number }[] }[];
  const done = await fanOutPartitions(topics, async (t, p) => {
    const answer = (code: number, epoch = -1, end = -1) => ({
      ErrorCode: code,
      Partition: p.Partition,
      LeaderEpoch: epoch,
      EndOffset: end,
    });
    if (!validName(t.Topic) || p.Partition < 0 || p.Partition >= MAX_PARTITIONS)
      return answer(KAFKA.UNKNOWN_TOPIC_OR_PARTITION);
    try {
      const { offset } = await ctx.upstream.offset(t.Topic, p.Partition, "latest", ctx.signal);
      // A later epoch than the leader's is Kafka's UNKNOWN_LEADER_EPOCH; epoch 0 ends at the log end.
      if (p.LeaderEpoch > 0) return answer(KAFKA.UNKNOWN_LEADER_EPOCH);
      return answer(NONE, 0, offset);
    } catch (e) {
      return answer(failure(e, KAFKA.NOT_LEADER_OR_FOLLOWER, DENIED.topic));
    }
  });
  return { ThrottleTimeMs: 0, Topics: done.map(({ topic, answers }) => ({ Topic: topic.Topic, Partitions: answers })) };
};
