// A local HTTP endpoint for http-sink tests (Node side): records every element it accepts by
// topic/partition/offset, and can answer with a 503 storm or refuse what a test calls poison.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

export interface Receiver {
  url: string;
  /** Accepted elements, by "partition/offset" (an element delivered twice counts once here). */
  accepted: Map<string, { key: unknown; value: unknown }>;
  /** Every element accepted, duplicates included. */
  deliveries(): number;
  /** Requests answered 503 during the storm, and 400 for poison. */
  stormed(): number;
  refused(): number;
  /** Answers 503 (Retry-After: 1) to every request for `ms` from the next request on. */
  storm(ms: number): void;
  /**
   * Once `n` elements are accepted, answers nothing (requests stay pending, nothing is recorded),
   * so a crash is sure to come mid-delivery; until release().
   */
  holdAfter(n: number): void;
  /** Requests pending while held. */
  held(): number;
  /** Answers the held requests 503 and serves normally again. */
  release(): void;
  close(): Promise<void>;
}

export interface ReceiverOptions {
  /** An element this returns true for makes its whole request answer 400. */
  poison?: (element: { key: unknown; value: unknown }) => boolean;
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((res, rej) => {
    let s = "";
    req.setEncoding("utf8");
    req.on("data", (d) => (s += d));
    req.on("end", () => res(s));
    req.on("error", rej);
  });
}

export async function startReceiver(opts: ReceiverOptions = {}): Promise<Receiver> {
  const accepted = new Map<string, { key: unknown; value: unknown }>();
  let deliveries = 0;
  let stormed = 0;
  let refused = 0;
  let stormFor = 0;
  let stormUntil = 0;
  let holdAt = Number.POSITIVE_INFINITY;
  const pending: ServerResponse[] = [];
  const server: Server = createServer(async (req, res) => {
    const text = await body(req);
    if (accepted.size >= holdAt) {
      pending.push(res);
      return;
    }
    if (stormFor > 0) {
      stormUntil = Date.now() + stormFor;
      stormFor = 0;
    }
    if (Date.now() < stormUntil) {
      stormed++;
      res.writeHead(503, { "retry-after": "1" }).end("overloaded");
      return;
    }
    const elements = text
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((l) => JSON.parse(l) as { partition: number; offset: number; key: unknown; value: unknown });
    if (opts.poison && elements.some(opts.poison)) {
      refused++;
      res.writeHead(400).end("poison");
      return;
    }
    for (const e of elements) {
      deliveries++;
      accepted.set(`${e.partition}/${e.offset}`, { key: e.key, value: e.value });
    }
    res.writeHead(200).end("ok");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/hook`,
    accepted,
    deliveries: () => deliveries,
    stormed: () => stormed,
    refused: () => refused,
    storm: (ms) => {
      stormFor = ms;
    },
    holdAfter: (n) => {
      holdAt = n;
    },
    held: () => pending.length,
    release: () => {
      holdAt = Number.POSITIVE_INFINITY;
      for (const res of pending.splice(0)) res.writeHead(503).end("released");
    },
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
