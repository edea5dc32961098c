// New records of a topic's partitions as they are appended: Server-Sent Events (the SDK's tail) for
// up to SSE_MAX partitions, one long-polling multi-partition fetch beyond, because a browser keeps
// only about six HTTP/1.1 connections per origin (wrangler dev) and the rest of the console needs some.

import type { Api, RecordsPage } from "../api.js";
import { tail } from "../../client/tail.js";
import type { BinaryFetchedRecord } from "./model.js";

export const SSE_MAX = 3;

export interface LiveBatch {
  partition: number;
  records: BinaryFetchedRecord[];
  next_offset: number;
}

/** Yields batches from `from` (next offset per partition) until `signal` aborts. */
export async function* liveRecords(
  api: Api,
  topic: string,
  from: Map<number, number>,
  signal: AbortSignal,
): AsyncGenerator<LiveBatch> {
  if (from.size <= SSE_MAX) yield* merged(api, topic, from, signal);
  else yield* longPoll(api, topic, from, signal);
}

export function transportFor(partitions: number): "SSE" | "long-poll" {
  return partitions <= SSE_MAX ? "SSE" : "long-poll";
}

async function* merged(api: Api, topic: string, from: Map<number, number>, signal: AbortSignal) {
  const queue: LiveBatch[] = [];
  let failure: unknown;
  let wake: (() => void) | undefined;
  const running = [...from].map(async ([partition, offset]) => {
    try {
      for await (const frame of tail(api.http, topic, partition, { offset, format: "binary", signal })) {
        queue.push({ partition, records: frame.records as BinaryFetchedRecord[], next_offset: frame.next_offset });
        wake?.();
      }
    } catch (e) {
      if (!signal.aborted) failure ??= e;
      wake?.();
    }
  });
  try {
    while (!signal.aborted) {
      const next = queue.shift();
      if (next) {
        yield next;
        continue;
      }
      if (failure) throw failure;
      await new Promise<void>((r) => {
        wake = r;
        signal.addEventListener("abort", () => r(), { once: true });
      });
      wake = undefined;
    }
  } finally {
    await Promise.allSettled(running);
  }
}

async function* longPoll(api: Api, topic: string, from: Map<number, number>, signal: AbortSignal) {
  const positions = new Map(from);
  while (!signal.aborted) {
    const reply = await api.http.request<{
      partitions: (Partial<RecordsPage> & { partition: number; error?: unknown })[];
    }>(
      "POST",
      "/v1/fetch",
      {
        partitions: [...positions].map(([partition, offset]) => ({ topic, partition, offset })),
        wait_ms: 10_000,
        format: "binary",
      },
      { signal, retry: true },
    );
    for (const p of reply.partitions) {
      if (p.error) throw Object.assign(new Error(JSON.stringify(p.error)), { cause: p.error });
      if (!p.records?.length || p.next_offset === undefined) continue;
      positions.set(p.partition, p.next_offset);
      yield { partition: p.partition, records: p.records, next_offset: p.next_offset };
    }
  }
}
