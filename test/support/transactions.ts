// Driving transactions over the HTTP API from integration tests.

import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { txnCoordinatorObject } from "../../src/objects.js";
import type { TxnCoordinatorDO } from "../worker.js";
import type { TxnMeta } from "../../src/transactions/state.js";
import { call } from "./api.js";

export interface Txn {
  id: string;
  producer: { id: string; epoch: number };
  /** Next base sequence per "topic/partition" under this producer. */
  seq: Map<string, number>;
}

let n = 0;
/** A transactional id unique within the test file. */
export function uniqueTxnId(prefix = "app"): string {
  return `${prefix}-${Date.now().toString(36)}-${++n}`;
}

export async function initTxn(id: string, body: Record<string, unknown> = {}): Promise<Txn> {
  const r = await call("POST", `/v1/transactions/${id}/init`, body);
  if (r.status !== 200) throw new Error(`init ${id}: ${r.status} ${JSON.stringify(r.body)}`);
  return { id, producer: r.body.producer, seq: new Map() };
}

/** Produces records to one partition inside the transaction; returns the raw reply. */
export async function txnProduce(t: Txn, topic: string, partition: number, values: unknown[]) {
  const key = `${topic}/${partition}`;
  const sequence = t.seq.get(key) ?? 0;
  const r = await call("POST", `/v1/topics/${topic}/partitions/${partition}/records`, {
    records: values.map((value) => ({ value })),
    producer: { ...t.producer, sequence, transactional_id: t.id },
  });
  if (r.status === 200) t.seq.set(key, sequence + values.length);
  return r;
}

/** Commits or aborts; adopts the producer the reply names (version 2 bumps the epoch). */
export async function endTxn(t: Txn, result: "commit" | "abort") {
  const r = await call("POST", `/v1/transactions/${t.id}/${result}`, { producer: t.producer });
  if (r.status === 200) {
    if (r.body.producer.epoch !== t.producer.epoch || r.body.producer.id !== t.producer.id) t.seq.clear();
    t.producer = r.body.producer;
  }
  return r;
}

/** The values read_committed (or read_uncommitted) returns from a partition, from offset 0. */
export async function values(topic: string, partition: number, isolation = "read_committed"): Promise<unknown[]> {
  const r = await call(
    "GET",
    `/v1/topics/${topic}/partitions/${partition}/records?offset=0&max_records=10000&isolation=${isolation}`,
  );
  if (r.status !== 200) throw new Error(`fetch ${topic}/${partition}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.records.map((x: { value: unknown }) => x.value);
}

export function coordinatorOf(id: string) {
  return txnCoordinatorObject(env, id);
}

/**
 * Moves an open transaction's start into the past, as if its timeout had passed, and runs the
 * coordinator's alarm handler to its end (called in the object, so the runtime's own alarm, due
 * only at the real deadline, cannot race it).
 */
export async function expireTransaction(id: string): Promise<void> {
  await runInDurableObject(coordinatorOf(id), async (o, state) => {
    const meta = state.storage.kv.get<TxnMeta>("meta")!;
    state.storage.kv.put("meta", { ...meta, startMs: Date.now() - meta.timeoutMs - 1 });
    await (o as unknown as TxnCoordinatorDO).alarm();
  });
}
