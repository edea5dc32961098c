// Geo-replication from tests: the follower objects, their stored rows, and faults injected on
// the leader's way to one region.

import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { partitionObject } from "../../src/objects.js";
import type { PartitionDO } from "../worker.js";
import { call } from "./api.js";

type Stub = DurableObjectStub<PartitionDO>;

export async function topicId(topic: string): Promise<string> {
  return (await call("GET", `/v1/topics/${topic}`)).body.id;
}

export async function leaderOf(topic: string, p = 0): Promise<Stub> {
  return partitionObject(env, await topicId(topic), p);
}

export async function followerOf(topic: string, region: string, p = 0): Promise<Stub> {
  return partitionObject(env, await topicId(topic), p, region);
}

/** The object's log rows, base offset and bytes in hex: what "byte-identical" compares. */
export async function rows(stub: Stub): Promise<string[]> {
  return runInDurableObject(stub, (_o, state) =>
    state.storage.sql
      .exec<{ base_offset: number; data: ArrayBuffer }>(`SELECT base_offset, data FROM batches ORDER BY base_offset`)
      .toArray()
      .map(
        (r) => `${r.base_offset}:${[...new Uint8Array(r.data)].map((b) => b.toString(16).padStart(2, "0")).join("")}`,
      ),
  );
}

export interface PartitionView {
  high_watermark: number;
  log_end_offset: number;
  log_start_offset: number;
  isr?: string[];
  replicas?: { region: string; log_end_offset: number | null; lag: number | null; in_sync: boolean; error?: string }[];
}

export async function describeP(topic: string, p = 0): Promise<PartitionView> {
  return (await call("GET", `/v1/topics/${topic}`)).body.partitions[p];
}

/**
 * Makes the leader's shipments to `region` fail (an unreachable follower) until the returned
 * function is called (the test worker's fault-injecting link, test/worker.ts).
 */
export async function breakRegion(leader: Stub, region: string): Promise<() => Promise<void>> {
  await runInDurableObject(leader, (o: PartitionDO) => void o.faults.unreachable.add(region));
  return async () => {
    await runInDurableObject(leader, (o: PartitionDO) => void o.faults.unreachable.delete(region));
  };
}

/** Awaits a condition the system reaches on its own (a follower catching up, the ISR shrinking). */
export async function until<T>(
  what: string,
  probe: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not reached in ${timeoutMs} ms; last ${JSON.stringify(v)}`);
    await scheduler.wait(10);
  }
}
