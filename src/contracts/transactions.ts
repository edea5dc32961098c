// What the router, the partitions and the group coordinators exchange with a transaction
// coordinator object (TxnCoordinatorDO, one per transactional id), and the markers it sends them.

import type { EndTxnReply, InitTransactionReply, TransactionDescription } from "../protocol/api.js";
import type { TransactionState, TransactionVersion } from "../protocol/constants.js";
import type { Result } from "../protocol/errors.js";
import type { TopicRef } from "../protocol/topic.js";

/** A transactional producer as the objects pass it: Kafka's int64 id (a safe integer) and int16 epoch. */
export interface TxnProducer {
  id: number;
  epoch: number;
}

/** A partition or a consumer group taking part in a transaction: who is told the outcome. */
export type TxnParticipant =
  | { kind: "partition"; topic: string; topicId: string; partition: number; ref: TopicRef }
  | { kind: "group"; group: string };

/** The outcome a coordinator tells a participant (Kafka's WriteTxnMarkers entry). */
export interface TxnMarker {
  transactionalId: string;
  /** The producer id and epoch the marker carries (version 2 and timeouts: the bumped epoch). */
  producerId: number;
  producerEpoch: number;
  /** The transaction's number: a participant applies the marker only to that transaction. */
  txnSeq: number;
  result: "commit" | "abort";
}

export interface InitTxnRequest {
  timeoutMs?: number;
  version?: TransactionVersion;
  /** KIP-360 recovery: the id and epoch the caller holds. */
  producer?: TxnProducer;
}

/** A transactional id as GET /v1/transactions lists it. */
export interface TxnSummary {
  transactional_id: string;
  state: TransactionState;
  producer_id: string;
}

/** One transactional id's coordinator. Every method answers a Result. */
export interface TxnCoordinatorRpc {
  init(transactionalId: string, req: InitTxnRequest): Promise<Result<InitTransactionReply>>;
  /** AddPartitionsToTxn / AddOffsetsToTxn: registers participants, opening the transaction if needed. */
  add(transactionalId: string, producer: TxnProducer, participants: TxnParticipant[]): Promise<Result<null>>;
  /**
   * A participant's check before the transaction's first write to it (KIP-890): version 2
   * registers it, version 1 requires it registered. Answers the transaction's number.
   */
  join(
    transactionalId: string,
    producer: TxnProducer,
    participant: TxnParticipant,
  ): Promise<Result<{ txnSeq: number }>>;
  end(transactionalId: string, producer: TxnProducer, result: "commit" | "abort"): Promise<Result<EndTxnReply>>;
  describe(transactionalId: string): Promise<Result<TransactionDescription>>;
  /** null when the id holds no state (never initialised, or expired). */
  summary(transactionalId: string): Promise<Result<TxnSummary | null>>;
}
