// Driving a partition's background work (alarms) and looking at its R2 objects from tests.

import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import type { PartitionDO } from "../worker.js";
import { call } from "./api.js";
import { partitionOf } from "./objects.js";

type PartitionStub = Awaited<ReturnType<typeof partitionOf>>;

/** Runs the partition's alarm until no slice of work is left due (the alarm is unset or in the future). */
export async function settle(stub: PartitionStub, maxRuns = 2000): Promise<number> {
  for (let runs = 1; runs <= maxRuns; runs++) {
    await runDurableObjectAlarm(stub);
    // The runtime also fires alarms on its own: one may still be running, its next not yet set.
    const { at, busy } = await runInDurableObject(stub, async (o: PartitionDO, state) => ({
      at: await state.storage.getAlarm(),
      busy: o.alarmsRunning > 0,
    }));
    if (busy) {
      await scheduler.wait(5);
      continue;
    }
    if (at === null || at > Date.now()) return runs;
  }
  throw new Error(`background work still due after ${maxRuns} alarm runs`);
}

export async function describePartition(topic: string, partition = 0) {
  const d = await call("GET", `/v1/topics/${topic}`);
  return d.body.partitions[partition] as {
    log_start_offset: number;
    high_watermark: number;
    bytes: number;
    archived_bytes: number;
    segments: number;
  };
}

export async function archivedKeys(topicId: string, partition = 0): Promise<string[]> {
  const page = await env.ARCHIVE.list({ prefix: `topics/${topicId}/${partition}/` });
  return page.objects.map((o) => o.key);
}
