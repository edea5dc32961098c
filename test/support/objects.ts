// Reaching partition objects directly from tests, for what HTTP cannot show.

import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { partitionObject } from "../../src/objects.js";
import type { PartitionDO } from "../worker.js";
import { call } from "./api.js";

export async function partitionOf(topic: string, partition: number) {
  const d = await call("GET", `/v1/topics/${topic}`);
  return partitionObject(env, d.body.id, partition);
}

/** Resolves once `count` long-polls are parked on the partition (the event the test waits for). */
export async function parkedPolls(topic: string, partition: number, count = 1): Promise<void> {
  const stub = await partitionOf(topic, partition);
  for (;;) {
    const n = await runInDurableObject(stub, (o: PartitionDO) => o.longPolls);
    if (n >= count) return;
    await scheduler.wait(2);
  }
}
