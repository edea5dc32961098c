// The transaction coordinator's state machine for one transactional id (Kafka's
// TransactionCoordinator and TransactionMetadata): init and fencing, registration, the
// prepare/complete decision, timeouts, both protocol versions. Pure: every step takes the state
// and returns the next one, so the object persists it and the tests drive it directly.

import type { TxnParticipant } from "../contracts/transactions.js";
import { EdgelogError } from "../protocol/errors.js";
import {
  TRANSACTION_DEFAULT_TIMEOUT_MS,
  TRANSACTION_MAX_TIMEOUT_MS,
  TRANSACTIONAL_ID_EXPIRATION_MS,
  type TransactionState,
  type TransactionVersion,
} from "../protocol/constants.js";

/** Kafka's isEpochExhausted: from this epoch on the producer moves to a new id. */
export const EPOCH_EXHAUSTED = 32766;

/** A partition or a consumer group taking part in a transaction: who is told the outcome. */
export type Participant = TxnParticipant;

export function participantKey(p: Participant): string {
  return p.kind === "partition" ? `p:${p.topicId}/${p.partition}` : `g:${p.group}`;
}

/** Why the epoch last moved: decides what a request carrying the epoch before it gets. */
export type EpochBump =
  /** A plain init: the older holder is fenced. */
  | "init"
  /** An init that aborted the older holder's open transaction first. */
  | "fence"
  /** KIP-360 recovery by the holder itself: a retry with the old epoch gets the new one. */
  | "recover"
  /** Version 2's bump at commit or abort: a retry of that end gets the same answer. */
  | "end"
  /** The coordinator aborted the transaction on timeout: the holder may abort and continue. */
  | "timeout";

export interface TxnMeta {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  /** The producer id and epoch before the last bump (-1: none), for retries and recovery. */
  lastProducerId: number;
  lastProducerEpoch: number;
  lastBump: EpochBump | null;
  /** Version 2 at epoch exhaustion: the id the producer moves to once the decision completes (-1: none). */
  nextProducerId: number;
  version: TransactionVersion;
  timeoutMs: number;
  state: TransactionState;
  /** Numbers the transactions; markers carry it so a late one never ends a later transaction. */
  txnSeq: number;
  startMs: number | null;
  lastUpdateMs: number;
  participants: Participant[];
  /** Keys of participants still to be told the outcome (PrepareCommit / PrepareAbort). */
  pending: string[];
  /** The producer id and epoch the current decision's markers carry. */
  markerProducerId: number;
  markerEpoch: number;
}

export interface ProducerRef {
  id: number;
  epoch: number;
}

export interface InitRequest {
  timeoutMs?: number;
  version?: TransactionVersion;
  producer?: ProducerRef;
}

/** What an init asks of the object: reply, or finish the previous transaction's markers first. */
export type InitOutcome = { kind: "ready"; meta: TxnMeta } | { kind: "complete-first"; meta: TxnMeta };

export interface EndReply {
  result: "committed" | "aborted";
  producer: ProducerRef;
}

const fenced = (m: TxnMeta, epoch: number) =>
  new EdgelogError(
    "PRODUCER_FENCED",
    `transactional id ${m.transactionalId}: epoch ${epoch} is fenced (the current epoch is ${m.producerEpoch})`,
  );

const concurrent = (m: TxnMeta) =>
  new EdgelogError(
    "CONCURRENT_TRANSACTIONS",
    `transactional id ${m.transactionalId}: the previous transaction (${m.state}) is still being completed`,
  );

function timedOut(m: TxnMeta): EdgelogError {
  return new EdgelogError(
    "TRANSACTION_ABORTABLE",
    `transactional id ${m.transactionalId}: the transaction passed its timeout (${m.timeoutMs} ms) and was aborted`,
  );
}

const isPreparing = (s: TransactionState) => s === "PrepareCommit" || s === "PrepareAbort";
const isIdle = (s: TransactionState) => s === "Empty" || s === "CompleteCommit" || s === "CompleteAbort";

/** How a request's producer id and epoch stand against the coordinator's. */
type Standing = "current" | "previous";

function standing(m: TxnMeta, p: ProducerRef): Standing {
  if (p.id === m.producerId && p.epoch === m.producerEpoch) return "current";
  if (m.lastProducerEpoch >= 0 && p.id === m.lastProducerId && p.epoch === m.lastProducerEpoch) return "previous";
  if (p.id === m.nextProducerId && p.epoch === 0) throw concurrent(m);
  if (p.id !== m.producerId && p.id !== m.lastProducerId) {
    throw new EdgelogError(
      "INVALID_PRODUCER_ID_MAPPING",
      `producer id ${p.id} is not transactional id ${m.transactionalId}'s (${m.producerId})`,
    );
  }
  throw fenced(m, p.epoch);
}

/** Checks the transaction timeout an init asks for. */
export function checkTimeout(ms: number): number {
  if (!Number.isInteger(ms) || ms < 1 || ms > TRANSACTION_MAX_TIMEOUT_MS) {
    throw new EdgelogError(
      "INVALID_TRANSACTION_TIMEOUT",
      `transaction_timeout_ms must be 1..${TRANSACTION_MAX_TIMEOUT_MS}, got ${ms}`,
    );
  }
  return ms;
}

/** Whether init needs a fresh producer id from the controller (a new id, or an exhausted epoch). */
export function initNeedsProducerId(m: TxnMeta | undefined): boolean {
  return m === undefined || (isIdle(m.state) && m.producerEpoch >= EPOCH_EXHAUSTED);
}

/** Whether ending the transaction needs a fresh producer id (version 2 about to exhaust the epoch). */
export function endNeedsProducerId(m: TxnMeta): boolean {
  return m.version === 2 && m.state === "Ongoing" && m.producerEpoch + 1 >= EPOCH_EXHAUSTED;
}

/**
 * InitProducerId. A new id starts at epoch 0; otherwise the epoch is bumped, which fences older
 * holders. An open transaction is aborted first (with a bumped epoch, so its markers fence the
 * old holder on every partition): the object writes those markers and calls init again.
 */
export function init(
  current: TxnMeta | undefined,
  transactionalId: string,
  req: InitRequest,
  now: number,
  freshId?: number,
): InitOutcome {
  const timeoutMs = checkTimeout(req.timeoutMs ?? current?.timeoutMs ?? TRANSACTION_DEFAULT_TIMEOUT_MS);
  const version = req.version ?? current?.version ?? 2;
  if (current === undefined) {
    if (freshId === undefined) throw new Error("init of a new transactional id needs a producer id");
    return {
      kind: "ready",
      meta: {
        transactionalId,
        producerId: freshId,
        producerEpoch: 0,
        lastProducerId: -1,
        lastProducerEpoch: -1,
        lastBump: null,
        nextProducerId: -1,
        version,
        timeoutMs,
        state: "Empty",
        txnSeq: 0,
        startMs: null,
        lastUpdateMs: now,
        participants: [],
        pending: [],
        markerProducerId: freshId,
        markerEpoch: 0,
      },
    };
  }
  const m = current;
  let retry = false;
  if (req.producer) {
    // KIP-360: the holder recovering keeps its id; anyone else holding an older epoch is fenced.
    const s = standing(m, req.producer);
    if (s === "previous") {
      if (m.lastBump === "init" || m.lastBump === "fence") throw fenced(m, req.producer.epoch);
      retry = true;
    }
  }
  if (isPreparing(m.state)) return { kind: "complete-first", meta: m };
  if (m.state === "Ongoing") {
    if (retry) throw fenced(m, req.producer!.epoch);
    return { kind: "complete-first", meta: decide(bump(m, "fence"), "abort", now) };
  }
  // A retry of a recovery (or a recovery after an end or a timeout whose reply was lost): the
  // epoch already moved for this holder, so it gets the current one without another bump.
  if (retry) return { kind: "ready", meta: { ...m, timeoutMs, version, lastUpdateMs: now } };
  const reason: EpochBump = req.producer ? "recover" : "init";
  let next: TxnMeta;
  if (m.producerEpoch >= EPOCH_EXHAUSTED) {
    if (freshId === undefined) throw new Error("init at an exhausted epoch needs a producer id");
    next = {
      ...m,
      lastProducerId: m.producerId,
      lastProducerEpoch: m.producerEpoch,
      producerId: freshId,
      producerEpoch: 0,
      lastBump: reason,
    };
  } else {
    next = bump(m, reason);
  }
  return {
    kind: "ready",
    meta: {
      ...next,
      timeoutMs,
      version,
      state: "Empty",
      startMs: null,
      participants: [],
      pending: [],
      nextProducerId: -1,
      lastUpdateMs: now,
    },
  };
}

/** The epoch moves on by one (an exhausted one stays: the next init moves to a new id). */
function bump(m: TxnMeta, reason: EpochBump): TxnMeta {
  if (m.producerEpoch >= EPOCH_EXHAUSTED) return { ...m, lastBump: reason };
  return {
    ...m,
    lastProducerId: m.producerId,
    lastProducerEpoch: m.producerEpoch,
    producerEpoch: m.producerEpoch + 1,
    lastBump: reason,
  };
}

/**
 * Registers participants with the transaction (AddPartitionsToTxn, AddOffsetsToTxn, and version
 * 2's registration on first write), opening it if none is open. Answers the transaction's number.
 */
export function add(
  m: TxnMeta,
  producer: ProducerRef,
  participants: readonly Participant[],
  now: number,
): { meta: TxnMeta; txnSeq: number } {
  const s = standing(m, producer);
  if (s === "previous") {
    if (m.lastBump === "timeout") throw timedOut(m);
    throw fenced(m, producer.epoch);
  }
  if (isPreparing(m.state)) throw concurrent(m);
  if (m.state === "Ongoing") {
    const have = new Set(m.participants.map(participantKey));
    const added = participants.filter((p) => !have.has(participantKey(p)));
    if (added.length === 0) return { meta: m, txnSeq: m.txnSeq };
    return { meta: { ...m, participants: [...m.participants, ...added], lastUpdateMs: now }, txnSeq: m.txnSeq };
  }
  const seen = new Map(participants.map((p) => [participantKey(p), p]));
  const meta: TxnMeta = {
    ...m,
    state: "Ongoing",
    txnSeq: m.txnSeq + 1,
    startMs: now,
    participants: [...seen.values()],
    pending: [],
    lastUpdateMs: now,
  };
  return { meta, txnSeq: meta.txnSeq };
}

/**
 * A partition's (or group's) check before the transaction's first write to it (KIP-890): version 2
 * registers it; version 1 requires it registered already. Answers the transaction's number.
 */
export function join(
  m: TxnMeta,
  producer: ProducerRef,
  participant: Participant,
  now: number,
): { meta: TxnMeta; txnSeq: number } {
  if (m.version === 2) return add(m, producer, [participant], now);
  const s = standing(m, producer);
  if (s === "previous") {
    if (m.lastBump === "timeout") throw timedOut(m);
    throw fenced(m, producer.epoch);
  }
  if (isPreparing(m.state)) throw concurrent(m);
  const key = participantKey(participant);
  if (m.state !== "Ongoing" || !m.participants.some((p) => participantKey(p) === key)) {
    const what =
      participant.kind === "partition"
        ? `${participant.topic} partition ${participant.partition}`
        : `group ${participant.group}`;
    throw new EdgelogError(
      "INVALID_TXN_STATE",
      `transactional id ${m.transactionalId} (version 1): ${what} was not added to the transaction; register it first (POST /v1/transactions/${m.transactionalId}/${participant.kind === "partition" ? "partitions" : "groups"})`,
    );
  }
  return { meta: m, txnSeq: m.txnSeq };
}

/** PrepareCommit / PrepareAbort: the decision, with every participant still to be told. */
function decide(m: TxnMeta, result: "commit" | "abort", now: number): TxnMeta {
  return {
    ...m,
    state: result === "commit" ? "PrepareCommit" : "PrepareAbort",
    pending: m.participants.map(participantKey),
    markerProducerId: m.producerId,
    markerEpoch: m.producerEpoch,
    lastUpdateMs: now,
  };
}

const resultOf = (s: TransactionState): "committed" | "aborted" | null =>
  s === "PrepareCommit" || s === "CompleteCommit"
    ? "committed"
    : s === "PrepareAbort" || s === "CompleteAbort"
      ? "aborted"
      : null;

/** The producer a client should use next: after a version 2 rotation, the new id at epoch 0. */
export function nextProducer(m: TxnMeta): ProducerRef {
  return m.nextProducerId >= 0 ? { id: m.nextProducerId, epoch: 0 } : { id: m.producerId, epoch: m.producerEpoch };
}

/**
 * EndTxn. An open transaction gets its durable decision here (the object persists the returned
 * state before telling any participant); version 2 bumps the epoch with it, and the markers carry
 * the new epoch. Nothing open: the reply is success and nothing changes. Retries answer alike.
 */
export function end(
  m: TxnMeta,
  producer: ProducerRef,
  result: "commit" | "abort",
  now: number,
  freshId?: number,
): { meta: TxnMeta; reply: EndReply } {
  const asked = result === "commit" ? "committed" : "aborted";
  const s = standing(m, producer);
  if (s === "previous") {
    if (m.lastBump === "timeout") {
      if (result === "commit") throw timedOut(m);
      return { meta: m, reply: { result: asked, producer: nextProducer(m) } };
    }
    if (m.lastBump !== "end") throw fenced(m, producer.epoch);
    if (resultOf(m.state) !== asked) {
      throw new EdgelogError(
        "INVALID_TXN_STATE",
        `transactional id ${m.transactionalId}: the transaction was already ${resultOf(m.state) ?? "ended"}, it cannot be ${asked}`,
      );
    }
    return { meta: m, reply: { result: asked, producer: nextProducer(m) } };
  }
  if (isPreparing(m.state)) {
    if (resultOf(m.state) !== asked) {
      throw new EdgelogError(
        "INVALID_TXN_STATE",
        `transactional id ${m.transactionalId}: the transaction is being ${resultOf(m.state)}, it cannot be ${asked}`,
      );
    }
    return { meta: m, reply: { result: asked, producer: nextProducer(m) } };
  }
  if (m.state !== "Ongoing") return { meta: m, reply: { result: asked, producer: nextProducer(m) } };
  let next = decide(m, result, now);
  if (m.version === 2) {
    next = {
      ...next,
      lastProducerId: m.producerId,
      lastProducerEpoch: m.producerEpoch,
      producerEpoch: m.producerEpoch + 1,
      lastBump: "end",
      markerEpoch: m.producerEpoch + 1,
    };
    if (next.producerEpoch >= EPOCH_EXHAUSTED) {
      if (freshId === undefined) throw new Error("ending at an exhausted epoch needs a producer id");
      next.nextProducerId = freshId;
    }
  }
  return { meta: next, reply: { result: asked, producer: nextProducer(next) } };
}

/** A participant has the marker: once none is left the transaction is complete. */
export function markerWritten(m: TxnMeta, key: string, now: number): TxnMeta {
  if (!isPreparing(m.state) || !m.pending.includes(key)) return m;
  const pending = m.pending.filter((k) => k !== key);
  if (pending.length > 0) return { ...m, pending, lastUpdateMs: now };
  const done: TxnMeta = {
    ...m,
    pending,
    state: m.state === "PrepareCommit" ? "CompleteCommit" : "CompleteAbort",
    lastUpdateMs: now,
  };
  if (m.nextProducerId < 0) return done;
  return {
    ...done,
    lastProducerId: m.producerId,
    lastProducerEpoch: m.lastProducerEpoch,
    producerId: m.nextProducerId,
    producerEpoch: 0,
    nextProducerId: -1,
  };
}

/** The transaction has been open for longer than its timeout: abort it, fencing its producer. */
export function timeOut(m: TxnMeta, now: number): TxnMeta | null {
  if (m.state !== "Ongoing" || m.startMs === null || now < m.startMs + m.timeoutMs) return null;
  return decide(bump(m, "timeout"), "abort", now);
}

/** When the coordinator's alarm must next look: the open transaction's timeout, or the id's expiry. */
export function deadline(m: TxnMeta): number | null {
  if (m.state === "Ongoing") return (m.startMs ?? m.lastUpdateMs) + m.timeoutMs;
  if (isIdle(m.state)) return m.lastUpdateMs + TRANSACTIONAL_ID_EXPIRATION_MS;
  return null;
}

/** Kafka's transactional.id.expiration.ms: idle for that long, the id is forgotten. */
export function expired(m: TxnMeta, now: number): boolean {
  return isIdle(m.state) && now >= m.lastUpdateMs + TRANSACTIONAL_ID_EXPIRATION_MS;
}

/** The participants still to be told the outcome. */
export function pendingParticipants(m: TxnMeta): Participant[] {
  const keys = new Set(m.pending);
  return m.participants.filter((p) => keys.has(participantKey(p)));
}
