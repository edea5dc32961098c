// Bench-only per-hop trace (EDGELOG_BENCH_TRACE=on): when each hop of a record's path saw it, kept
// in this isolate by topic, partition and offset, and answered to the benchmark at /_bench/trace.
//
// Only where the router and the partition object share an isolate (workerd under Miniflare or
// `wrangler dev`, where the benchmark runs) does one table see both sides. Times are Date.now(),
// which workerd advances only across I/O: a hop that does no I/O between two marks reads 0 ms.

/** The hops, in path order: the router took the request; the object began the append; a parked read was woken (or a read found it without parking); the router's append call returned (after the output gate); the SSE tail got it from the object. */
export type Hop = "recv" | "append" | "wake" | "found" | "acked" | "read";

/** Records remembered per isolate: enough for a W4 run, bounded so a forgotten flag cannot grow memory. */
const MAX_RECORDS = 20_000;
const marks = new Map<string, Partial<Record<Hop, number>>>();

function key(topic: string, partition: number, offset: number): string {
  return `${topic}/${partition}/${offset}`;
}

/** Notes when `hop` first saw the record at `offset` (later marks of the same hop are ignored). */
export function mark(topic: string, partition: number, offset: number, hop: Hop, at = Date.now()): void {
  const k = key(topic, partition, offset);
  let m = marks.get(k);
  if (!m) {
    if (marks.size >= MAX_RECORDS) marks.delete(marks.keys().next().value!);
    marks.set(k, (m = {}));
  }
  m[hop] ??= at;
}

/** The marks of one partition's records, by offset, and forgets them. */
export function takeMarks(topic: string, partition: number): Record<number, Partial<Record<Hop, number>>> {
  const prefix = `${topic}/${partition}/`;
  const out: Record<number, Partial<Record<Hop, number>>> = {};
  for (const [k, m] of marks) {
    if (!k.startsWith(prefix)) continue;
    out[Number(k.slice(prefix.length))] = m;
    marks.delete(k);
  }
  return out;
}

/** `GET /_bench/trace/<topic>/<partition>`: the marks as JSON; null for any other path (the app answers it). */
export function traceResponse(url: URL): Response | null {
  const m = /^\/_bench\/trace\/([^/]+)\/(\d+)$/.exec(url.pathname);
  if (!m) return null;
  return Response.json(takeMarks(decodeURIComponent(m[1]!), Number(m[2])));
}
