// Live tail of one partition: Server-Sent Events over fetch (everywhere, resumes by event id) or a
// WebSocket where the platform has one; both yield {records, next_offset} frames as appended.

import type { LiveFrame, OffsetReply } from "../protocol/api.js";
import { QUERY_TOKEN_PARAM, type IsolationLevel, type ValueFormat } from "../protocol/constants.js";
import { EdgelogError } from "../protocol/errors.js";
import { backoff, errorFromBody, sleep, type Transport } from "./transport.js";

export interface TailOptions {
  /** First offset; default the end of the log (only new records). Use "earliest" for everything. */
  offset?: number | "earliest" | "latest";
  format?: ValueFormat;
  /** "registry": values framed for the schema registry arrive decoded to JSON (SSE tails only). */
  decode?: "registry";
  /** read_uncommitted (default, as the HTTP tail: every record as appended) or read_committed (to the LSO). */
  isolationLevel?: IsolationLevel;
  /** sse (default: works with fetch alone) or ws (needs a WebSocket constructor). */
  transport?: "sse" | "ws";
  signal?: AbortSignal;
}

const enc = encodeURIComponent;

export async function* tail(
  http: Transport,
  topic: string,
  partition: number,
  opts: TailOptions = {},
): AsyncGenerator<LiveFrame> {
  let offset =
    typeof opts.offset === "number"
      ? opts.offset
      : await startOffset(http, topic, partition, opts.offset ?? "latest", opts.isolationLevel);
  const source = opts.transport === "ws" ? wsFrames : sseFrames;
  // Reconnect after a dropped connection, from the last offset delivered.
  for (let attempt = 0; !opts.signal?.aborted; ) {
    try {
      for await (const frame of source(http, topic, partition, offset, opts)) {
        attempt = 0;
        offset = frame.next_offset;
        yield frame;
      }
    } catch (e) {
      if (opts.signal?.aborted) return;
      if (!(e instanceof EdgelogError) || !e.retriable) throw e;
      await sleep(backoff(attempt++, http.retry, e.retryAfter), opts.signal).catch(() => undefined);
    }
  }
}

async function startOffset(
  http: Transport,
  topic: string,
  partition: number,
  at: "earliest" | "latest",
  isolation: IsolationLevel = "read_uncommitted",
): Promise<number> {
  const r = await http.request<OffsetReply>(
    "GET",
    `/v1/topics/${enc(topic)}/partitions/${partition}/offsets?at=${at}&isolation=${isolation}`,
    undefined,
    { retry: true },
  );
  return r.offset;
}

function path(topic: string, partition: number, offset: number, opts: TailOptions): string {
  const isolation = opts.isolationLevel ? `&isolation=${opts.isolationLevel}` : "";
  return `/v1/topics/${enc(topic)}/partitions/${partition}/records?offset=${offset}&format=${opts.format ?? "json"}${isolation}`;
}

async function* sseFrames(
  http: Transport,
  topic: string,
  partition: number,
  offset: number,
  opts: TailOptions,
): AsyncGenerator<LiveFrame> {
  const decode = opts.decode ? `&decode=${opts.decode}` : "";
  const res = await http.raw("GET", `${path(topic, partition, offset, opts)}${decode}&live=sse`, undefined, {
    signal: opts.signal,
    headers: { accept: "text/event-stream" },
  });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  try {
    for (;;) {
      let read;
      try {
        read = await reader.read();
      } catch (e) {
        if (opts.signal?.aborted) return;
        throw new EdgelogError("NETWORK_EXCEPTION", `live stream broke: ${(e as Error).message}`);
      }
      if (read.done) throw new EdgelogError("NETWORK_EXCEPTION", "live stream ended");
      buf += read.value;
      for (let end = buf.indexOf("\n\n"); end >= 0; end = buf.indexOf("\n\n")) {
        const block = buf.slice(0, end);
        buf = buf.slice(end + 2);
        let event = "message";
        let data = "";
        for (const line of block.split("\n")) {
          if (line.startsWith("event:")) event = line.slice(6).trim();
          else if (line.startsWith("data:")) data += line.slice(5).trimStart();
        }
        if (!data) continue; // a heartbeat comment
        const body = JSON.parse(data);
        if (event === "error") {
          const { error, ...extra } = body;
          throw errorFromBody(error, { extra });
        }
        if (event === "records") yield body as LiveFrame;
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

async function* wsFrames(
  http: Transport,
  topic: string,
  partition: number,
  offset: number,
  opts: TailOptions,
): AsyncGenerator<LiveFrame> {
  const WS = http.WebSocket;
  if (!WS)
    throw new EdgelogError(
      "INVALID_REQUEST",
      'no WebSocket on this platform (Node 20 needs --experimental-websocket); use transport: "sse"',
    );
  // Browsers cannot set headers on a WebSocket: the token travels as a query parameter.
  const auth = http.token ? `&${QUERY_TOKEN_PARAM}=${encodeURIComponent(http.token)}` : "";
  const url = `${http.url.replace(/^http/, "ws")}${path(topic, partition, offset, opts)}${auth}`;
  const ws = new WS(url);
  const queue: LiveFrame[] = [];
  let wake: (() => void) | undefined;
  let failure: EdgelogError | undefined;
  ws.addEventListener("message", (e) => {
    queue.push(JSON.parse(String(e.data)) as LiveFrame);
    wake?.();
  });
  ws.addEventListener("close", (e) => {
    failure = new EdgelogError(
      e.code === 4004 ? "UNKNOWN_TOPIC_OR_PARTITION" : e.code === 4016 ? "OFFSET_OUT_OF_RANGE" : "NETWORK_EXCEPTION",
      `live socket closed (${e.code}${e.reason ? `: ${e.reason}` : ""})`,
    );
    wake?.();
  });
  const onAbort = () => ws.close(1000, "done");
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    for (;;) {
      const frame = queue.shift();
      if (frame) {
        yield frame;
        // Acknowledged once the consumer of this generator has taken it: that is the flow control.
        if (ws.readyState === 1) ws.send(JSON.stringify({ ack: frame.next_offset }));
        continue;
      }
      if (failure) throw failure;
      await new Promise<void>((r) => (wake = r));
      wake = undefined;
    }
  } finally {
    opts.signal?.removeEventListener("abort", onAbort);
    if (ws.readyState <= 1) ws.close(1000, "done");
  }
}
