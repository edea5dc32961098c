// Per-resource upstream calls with a bound on how many run at once: one request may name thousands
// of topics, partitions or groups, and must not open thousands of connections to edgelog.

/** Upstream calls one request keeps in flight at most. */
export const FAN_OUT = 16;

/** `fn` over every item, at most `limit` at a time; the results in the items' order. */
export async function fanOut<T, R>(
  items: readonly T[],
  fn: (item: T, index: number) => Promise<R>,
  limit = FAN_OUT,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * Per-partition calls of a request grouped by topic (DeleteRecords, OffsetForLeaderEpoch): the
 * bound covers all partitions of all topics at once, and answers keep the request's layout.
 */
export async function fanOutPartitions<T extends { Partitions: readonly unknown[] }, R>(
  topics: readonly T[],
  fn: (topic: T, partition: T["Partitions"][number]) => Promise<R>,
): Promise<{ topic: T; answers: R[] }[]> {
  const flat = topics.flatMap((t) => t.Partitions.map((p) => [t, p] as const));
  const answers = await fanOut(flat, ([t, p]) => fn(t, p));
  let at = 0;
  return topics.map((topic) => {
    const mine = answers.slice(at, at + topic.Partitions.length);
    at += topic.Partitions.length;
    return { topic, answers: mine };
  });
}

/** The indexes of items whose key appeared earlier too (each repeat, and its first occurrence). */
export function repeated<T>(items: readonly T[], key: (item: T) => string): Set<number> {
  const first = new Map<string, number>();
  const out = new Set<number>();
  items.forEach((item, i) => {
    const k = key(item);
    const at = first.get(k);
    if (at === undefined) first.set(k, i);
    else out.add(at).add(i);
  });
  return out;
}
