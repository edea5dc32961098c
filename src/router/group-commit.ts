// Router-side group commit: produce requests that reach one partition while a call to it is in
// flight wait, then go as ONE PartitionDO.append of their concatenated batches; replies are split back.

import { MAX_REQUEST_BYTES } from "../protocol/constants.js";
import { EdgelogError } from "../protocol/errors.js";
import { concat } from "../util/bytes.js";
import type { AppendedBatch } from "../contracts/partition.js";

/** One produce request's share of an append: its batches, already encoded and checked by the router. */
export interface AppendEntry {
  /** Concatenated RecordBatch v2 bytes. */
  body: Uint8Array;
  /** How many batches `body` holds: the replies this entry gets back. */
  batches: number;
  /** Every batch carries a producer id, so repeating the call cannot write twice. */
  idempotent: boolean;
}

/** Sends one append to the partition (the lane fixes the topic version and acks). */
export type SendAppend = (body: Uint8Array, idempotent: boolean) => Promise<AppendedBatch[]>;

type Outcome = { ok: true; value: AppendedBatch[] } | { ok: false; error: unknown };

interface Waiting extends AppendEntry {
  /** Records the outcome once; later ones (after its timeout) are ignored. */
  settle(o: Outcome): void;
  outcome?: Outcome;
  /** Set while this request itself drives: its outcome is delivered in its own context at once. */
  direct?: boolean;
}

interface Lane {
  queue: Waiting[];
  /** Whether a request is driving calls for this lane now. */
  driven: boolean;
}

/**
 * Calls one request drives before it lets go, so its subrequests and its waitUntil stay within
 * the platform's limits; the next request to arrive (or a waiting one) drives on.
 */
const CALLS_PER_DRIVER = 64;
/**
 * How often a waiting request looks for its outcome: below one call's cost under load. A timer of
 * its own because nothing else runs in its context when another request's call returns (see
 * groupAppend).
 */
const POLL_MS = 1;
/** How long a request waits for its append before giving up. */
const WAIT_LIMIT_MS = 30_000;

/** Lanes of this isolate, keyed by topic id, partition, topic version and acks. */
const lanes = new Map<string, Lane>();

export function laneKey(topicId: string, partition: number, topicVersion: number, acks: number | string): string {
  return `${topicId}/${partition}/${topicVersion}/${acks}`;
}

/**
 * Appends `entry`, merged with the requests queued on its lane. An undriven lane is driven at once
 * by the arriving request, so a lone request waits for nothing; requests arriving while a call is
 * in flight queue, and the driver sends them as one call when it returns.
 *
 * workerd ties I/O, and the completion of a request's reply, to the request's own context. Only
 * the driver does I/O, inside its own request (kept alive after its own reply by `keepAlive`, its
 * waitUntil); it leaves each merged request's outcome as plain data, which that request collects
 * from its own timer, and a waiting request takes over driving from that timer when a driver lets
 * go. Waking the request instead by resolving its promise from the driver is what the platform
 * offers (handle_cross_request_promise_resolution), but workerd 1.20260426 misroutes such a
 * continuation once the isolate has served about 16,600 requests: it runs outside the woken
 * request, whose reply then fails with a 500 (docs/performance.md, "Why group commit polls").
 */
export function groupAppend(
  key: string,
  entry: AppendEntry,
  send: SendAppend,
  keepAlive: (p: Promise<unknown>) => void,
): Promise<AppendedBatch[]> {
  let lane = lanes.get(key);
  if (!lane) lanes.set(key, (lane = { queue: [], driven: false }));
  const l = lane;
  const started = Date.now();
  return new Promise<AppendedBatch[]>((resolve, reject) => {
    const finish = (o: Outcome) => {
      if (o.ok) resolve(o.value);
      else reject(o.error);
    };
    const waiting: Waiting = {
      ...entry,
      settle(o) {
        if (waiting.outcome) return;
        waiting.outcome = o;
        if (waiting.direct) finish(o);
      },
    };
    /** Gives up on a request still queued (or in flight) after WAIT_LIMIT_MS. */
    const timeOut = () => {
      const i = l.queue.indexOf(waiting);
      if (i >= 0) l.queue.splice(i, 1);
      waiting.settle({
        ok: false,
        error: new EdgelogError(
          "REQUEST_TIMED_OUT",
          `the partition did not answer within ${WAIT_LIMIT_MS} ms; ` +
            (i >= 0 ? "nothing of this request was written" : "the request may or may not have been written"),
        ),
      });
      finish(waiting.outcome!);
    };
    const takeOver = () => {
      if (waiting.outcome || l.driven || !l.queue.includes(waiting)) return;
      waiting.direct = true;
      drive(key, l, send, keepAlive);
    };
    const tick = () => {
      if (waiting.outcome) return waiting.direct ? undefined : finish(waiting.outcome);
      if (Date.now() - started >= WAIT_LIMIT_MS) return timeOut();
      takeOver();
      setTimeout(tick, POLL_MS);
    };
    l.queue.push(waiting);
    if (!l.driven) {
      waiting.direct = true;
      drive(key, l, send, keepAlive);
    }
    // Also for a driver: if it lets go before reaching its own entry, the timer takes over again.
    if (!waiting.outcome) setTimeout(tick, POLL_MS);
  });
}

function drive(key: string, lane: Lane, send: SendAppend, keepAlive: (p: Promise<unknown>) => void): void {
  lane.driven = true;
  keepAlive(
    run(lane, send)
      .catch((e) => console.error("edgelog: group commit driver failed", e))
      .finally(() => {
        lane.driven = false;
        // Requests still queued see the lane undriven from their timers, and one drives on.
        if (lane.queue.length === 0 && lanes.get(key) === lane) lanes.delete(key);
      }),
  );
}

async function run(lane: Lane, send: SendAppend): Promise<void> {
  for (let calls = 0; calls < CALLS_PER_DRIVER && lane.queue.length > 0; calls++) {
    const group = take(lane.queue);
    if (group.length === 0) continue;
    if (group.length === 1) await single(group[0]!, send);
    else await merged(group, send);
  }
}

/** The queued entries, oldest first, that fit one request's bound (always at least one). */
function take(queue: Waiting[]): Waiting[] {
  let n = 1;
  let used = queue[0]!.body.byteLength;
  while (n < queue.length && used + queue[n]!.body.byteLength <= MAX_REQUEST_BYTES) used += queue[n++]!.body.byteLength;
  return queue.splice(0, n).filter((w) => !w.outcome);
}

async function single(w: Waiting, send: SendAppend): Promise<void> {
  try {
    w.settle({ ok: true, value: await send(w.body, w.idempotent) });
  } catch (error) {
    w.settle({ ok: false, error });
  }
}

async function merged(group: Waiting[], send: SendAppend): Promise<void> {
  let out: AppendedBatch[];
  try {
    out = await send(
      concat(group.map((e) => e.body)),
      group.every((e) => e.idempotent),
    );
  } catch (error) {
    if (!rejectedInput(error)) {
      for (const w of group) w.settle({ ok: false, error });
      return;
    }
    // The log appends a call's batches in one transaction, so nothing was written: each request
    // goes again alone, in order (a producer's batches stay in sequence), and only the bad one fails.
    for (const w of group) await single(w, send);
    return;
  }
  const expected = group.reduce((n, w) => n + w.batches, 0);
  if (out.length !== expected) {
    // Cannot happen while append answers one entry per batch; fail loudly rather than misnumber.
    const error = new EdgelogError(
      "UNKNOWN_SERVER_ERROR",
      `merged append answered ${out.length} batches for ${expected}`,
    );
    for (const w of group) w.settle({ ok: false, error });
    return;
  }
  let at = 0;
  for (const w of group) {
    w.settle({ ok: true, value: out.slice(at, at + w.batches) });
    at += w.batches;
  }
}

/**
 * A 4xx from the partition is input it refused before writing (bad framing, size, sequence,
 * epoch): one request's fault, worth isolating. A missing partition is every request's.
 */
function rejectedInput(e: unknown): boolean {
  return e instanceof EdgelogError && e.status >= 400 && e.status < 500 && e.code !== "UNKNOWN_TOPIC_OR_PARTITION";
}
