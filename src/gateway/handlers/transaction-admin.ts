// Kafka's transaction admin APIs: DescribeTransactions and ListTransactions over edgelog's
// transactional-id listing and description, DescribeProducers over a partition's open transactions.

import { TRANSACTION_STATES, type TransactionState } from "../../protocol/constants.js";
import { DENIED, failure, KAFKA, NONE } from "../errors.js";
import type { Handler } from "./context.js";
import { matching } from "./consumer-protocol.js";
import { fanOut, fanOutPartitions } from "./fan-out.js";
import { badId } from "./transactions.js";

export const describeTransactions: Handler = async (req, ctx) => ({
  ThrottleTimeMs: 0,
  TransactionStates: await fanOut(req.TransactionalIds as string[], async (id) => {
    const fail = (code: number) => ({
      ErrorCode: code,
      TransactionalId: id,
      TransactionState: "",
      TransactionTimeoutMs: 0,
      TransactionStartTimeMs: -1,
      ProducerId: -1,
      ProducerEpoch: -1,
      Topics: [],
    });
    if (badId(id)) return fail(KAFKA.TRANSACTIONAL_ID_NOT_FOUND);
    try {
      const d = await ctx.upstream.describeTransaction(id, ctx.signal);
      return {
        ErrorCode: NONE,
        TransactionalId: id,
        TransactionState: d.state,
        TransactionTimeoutMs: d.transaction_timeout_ms,
        TransactionStartTimeMs: d.transaction_start_ms ?? -1,
        ProducerId: Number(d.producer.id),
        ProducerEpoch: d.producer.epoch,
        Topics: d.state === "Empty" ? [] : d.topics.map((t) => ({ Topic: t.topic, Partitions: t.partitions })),
      };
    } catch (e) {
      return fail(failure(e, KAFKA.COORDINATOR_NOT_AVAILABLE, DENIED.transactionalId));
    }
  }),
});

export const listTransactions: Handler = async (req, ctx) => {
  const asked = req.StateFilters as string[];
  const states = asked.filter((s): s is TransactionState => (TRANSACTION_STATES as readonly string[]).includes(s));
  const unknown = asked.filter((s) => !states.includes(s as TransactionState));
  const producers = new Set((req.ProducerIdFilters as number[]).map(String));
  const fail = (code: number) => ({
    ThrottleTimeMs: 0,
    ErrorCode: code,
    UnknownStateFilters: [],
    TransactionStates: [],
  });
  // Only unknown states asked for: nothing can match them (Kafka lists none and names them).
  if (asked.length > 0 && states.length === 0)
    return { ThrottleTimeMs: 0, ErrorCode: NONE, UnknownStateFilters: unknown, TransactionStates: [] };
  const pattern = ctx.version >= 2 ? (req.TransactionalIdPattern as string | null) : null;
  const duration = ctx.version >= 1 ? (req.DurationFilter as number) : -1;
  try {
    let listed = await ctx.upstream.listTransactions({ states }, ctx.signal);
    if (producers.size > 0) listed = listed.filter((t) => producers.has(t.producer_id));
    if (pattern !== null && pattern !== "") {
      // Matched under a time budget, as KIP-848's topic regexes: a client's pattern must not hold the gateway.
      const ids = matching(
        pattern,
        listed.map((t) => t.transactional_id),
      );
      if (typeof ids === "string") return fail(KAFKA.INVALID_REGULAR_EXPRESSION);
      const keep = new Set(ids);
      listed = listed.filter((t) => keep.has(t.transactional_id));
    }
    if (duration >= 0) {
      // Open for longer than DurationFilter ms: only open transactions have a start (Kafka's rule).
      const now = Date.now();
      const described = await fanOut(listed, (t) => ctx.upstream.describeTransaction(t.transactional_id, ctx.signal));
      listed = listed.filter((_, i) => {
        const start = described[i]!.transaction_start_ms;
        return start !== null && now - start > duration;
      });
    }
    return {
      ThrottleTimeMs: 0,
      ErrorCode: NONE,
      UnknownStateFilters: unknown,
      TransactionStates: listed.map((t) => ({
        TransactionalId: t.transactional_id,
        ProducerId: Number(t.producer_id),
        TransactionState: t.state,
      })),
    };
  } catch (e) {
    return fail(failure(e, KAFKA.COORDINATOR_NOT_AVAILABLE, DENIED.cluster));
  }
};

/**
 * DescribeProducers: a partition's producers with an open transaction (edgelog keeps no other
 * producer state a client can see), each with the offset its transaction started at.
 */
export const describeProducers: Handler = async (req, ctx) => {
  const topics = req.Topics as { Name: string; PartitionIndexes: number[] }[];
  const answered = await fanOutPartitions(
    topics.map((t) => ({ Name: t.Name, Partitions: t.PartitionIndexes })),
    async (t, p) => {
      try {
        const r = await ctx.upstream.partitionTransactions(t.Name, p, ctx.signal);
        return {
          PartitionIndex: p,
          ErrorCode: NONE,
          ErrorMessage: null,
          ActiveProducers: r.transactions.map((x) => ({
            ProducerId: Number(x.producer_id),
            ProducerEpoch: x.producer_epoch,
            LastSequence: -1,
            LastTimestamp: -1,
            CoordinatorEpoch: -1,
            CurrentTxnStartOffset: x.first_offset,
          })),
        };
      } catch (e) {
        return {
          PartitionIndex: p,
          ErrorCode: failure(e, KAFKA.NOT_LEADER_OR_FOLLOWER, DENIED.topic),
          ErrorMessage: e instanceof Error ? e.message : null,
          ActiveProducers: [],
        };
      }
    },
  );
  return {
    ThrottleTimeMs: 0,
    Topics: answered.map(({ topic, answers }) => ({ Name: topic.Name, Partitions: answers })),
  };
};
