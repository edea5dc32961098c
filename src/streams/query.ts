// Interactive queries: read-only views of a store across the tasks an instance hosts, and an HTTP
// handler (a fetch-style (Request) => Response, mountable in Hono, a Worker, or Node's http via
// nodeListener) that answers key and range lookups and sends a key hosted elsewhere to its host.

import { EdgelogError } from "../protocol/errors.js";
import { Serdes, type Serde } from "./serdes.js";
import { compareBytes } from "./state/bytes.js";
import { SessionStoreImpl, WindowStoreImpl } from "./state/windowed-stores.js";
import {
  KeyValueStoreImpl,
  type KeyValue,
  type ReadOnlyKeyValueStore,
  type ReadOnlySessionStore,
  type ReadOnlyWindowStore,
  type StoreInstance,
  type StoreType,
  type WindowEntry,
} from "./state/stores.js";
import type { Windowed } from "./records.js";

export type AnyStoreView =
  | ReadOnlyKeyValueStore<any, any>
  | ReadOnlyWindowStore<any, any>
  | ReadOnlySessionStore<any, any>;

function keySerdeOf(s: StoreInstance): Serde<unknown> {
  return (s as KeyValueStoreImpl<unknown, unknown>).keySerde;
}

/** One store's instances on this instance (one per hosted task), read as one store. */
export function storeView(name: string, type: StoreType, instances: () => StoreInstance[]): AnyStoreView {
  const sortByKey = <T>(entries: { k: unknown; e: T }[], serde: Serde<unknown> | undefined): T[] => {
    if (!serde) return entries.map((x) => x.e);
    const withBytes = entries.map((x) => ({ b: serde.serialize(x.k, name), e: x.e }));
    return withBytes.sort((a, b) => compareBytes(a.b, b.b)).map((x) => x.e);
  };
  if (type === "keyValue") {
    const kvs = () => instances() as KeyValueStoreImpl<unknown, unknown>[];
    return {
      name,
      get: (key) => {
        for (const s of kvs()) {
          const v = s.get(key);
          if (v !== undefined) return v;
        }
        return undefined;
      },
      range: (from, to) => {
        const all = kvs().flatMap((s) => s.range(from, to));
        return sortByKey(
          all.map((e) => ({ k: e.key, e })),
          kvs()[0]?.keySerde,
        );
      },
      all: () =>
        sortByKey(
          kvs()
            .flatMap((s) => s.all())
            .map((e) => ({ k: e.key, e })),
          kvs()[0]?.keySerde,
        ),
      approximateNumEntries: () => kvs().reduce((n, s) => n + s.approximateNumEntries(), 0),
    } satisfies ReadOnlyKeyValueStore<unknown, unknown>;
  }
  if (type === "window") {
    const ws = () => instances() as WindowStoreImpl<unknown, unknown>[];
    return {
      name,
      fetch: (key, start) => {
        for (const s of ws()) {
          const v = s.fetch(key, start);
          if (v !== undefined) return v;
        }
        return undefined;
      },
      fetchRange: (key, from, to) =>
        ws()
          .flatMap((s) => s.fetchRange(key, from, to))
          .sort((a: WindowEntry<unknown>, b: WindowEntry<unknown>) => a.start - b.start),
      fetchAll: (from, to) => ws().flatMap((s) => s.fetchAll(from, to)),
      all: () => ws().flatMap((s) => s.all()),
    } satisfies ReadOnlyWindowStore<unknown, unknown>;
  }
  const ss = () => instances() as SessionStoreImpl<unknown, unknown>[];
  return {
    name,
    fetch: (key) => ss().flatMap((s) => s.fetch(key)),
    all: () => ss().flatMap((s) => s.all()),
  } satisfies ReadOnlySessionStore<unknown, unknown>;
}

/** Turns a key given as text (a URL segment) into the store's key: text for string keys, else JSON. */
export function keyFromText(text: string, store: StoreInstance | undefined): unknown {
  const serde = store ? keySerdeOf(store) : undefined;
  if (!serde || serde === Serdes.String() || serde === Serdes.Text()) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export interface StoreQueries {
  /** The queryable stores. */
  list(): { name: string; type: StoreType }[];
  /** A view of the local instances of a store (throws UNKNOWN_STATE_STORE). */
  view(name: string): { type: StoreType; view: AnyStoreView; sample: StoreInstance | undefined };
  /** Where a key lives when it is not here: the base URL of its host, or null when none is known. */
  locate?(name: string, key: unknown): Promise<{ local: true } | { local: false; url: string | null }>;
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

export function errorReply(e: unknown): Response {
  const err =
    e instanceof EdgelogError ? e : new EdgelogError("UNKNOWN_SERVER_ERROR", (e as Error)?.message ?? String(e));
  return json(err.status, { error: err.toBody() });
}

const num = (v: string | null, fallback: number) => {
  if (v === null) return fallback;
  const n = Number(v);
  if (!Number.isSafeInteger(n))
    throw new EdgelogError("INVALID_REQUEST", `expected an integer, got ${JSON.stringify(v)}`);
  return n;
};

const windowJson = (e: KeyValue<Windowed<unknown>, unknown>) => ({
  key: e.key.key,
  start: e.key.window.start,
  end: e.key.window.end,
  value: e.value,
});

/**
 * GET {prefix}/stores · GET {prefix}/stores/{store}[?from=&to=] (a range of keys; for window
 * stores a time range) · GET {prefix}/stores/{store}/keys/{key}[?from=&to=].
 */
export function queryHandler(q: StoreQueries, opts: { prefix?: string } = {}): (req: Request) => Promise<Response> {
  const prefix = (opts.prefix ?? "").replace(/\/+$/, "");
  return async (req) => {
    try {
      const url = new URL(req.url);
      if (req.method !== "GET") throw new EdgelogError("METHOD_NOT_ALLOWED", `${req.method} is not a query; use GET`);
      if (!url.pathname.startsWith(`${prefix}/stores`))
        throw new EdgelogError("ROUTE_NOT_FOUND", `no route for ${url.pathname}`);
      const parts = url.pathname.slice(prefix.length).split("/").filter(Boolean).map(decodeURIComponent);
      if (parts.length === 1) return json(200, { stores: q.list() });
      const name = parts[1]!;
      const { type, view, sample } = q.view(name);
      const from = url.searchParams.get("from");
      const to = url.searchParams.get("to");
      if (parts.length === 2) {
        if (type === "keyValue") {
          const kv = view as ReadOnlyKeyValueStore<unknown, unknown>;
          const f = from === null ? undefined : keyFromText(from, sample);
          const t = to === null ? undefined : keyFromText(to, sample);
          return json(200, { store: name, entries: kv.range(f, t) });
        }
        if (type === "window") {
          const ws = view as ReadOnlyWindowStore<unknown, unknown>;
          return json(200, {
            store: name,
            entries: ws.fetchAll(num(from, 0), num(to, Number.MAX_SAFE_INTEGER)).map(windowJson),
          });
        }
        return json(200, {
          store: name,
          entries: (view as ReadOnlySessionStore<unknown, unknown>).all().map(windowJson),
        });
      }
      if (parts.length !== 4 || parts[2] !== "keys")
        throw new EdgelogError("ROUTE_NOT_FOUND", `no route for ${url.pathname}`);
      const key = keyFromText(parts[3]!, sample);
      const where = q.locate ? await q.locate(name, key) : { local: true as const };
      if (!where.local) {
        if (where.url) return Response.redirect(`${where.url.replace(/\/+$/, "")}${url.pathname}${url.search}`, 307);
        throw new EdgelogError(
          "STATE_STORE_NOT_AVAILABLE",
          `the partition of key ${parts[3]} in ${name} is not hosted by this instance`,
        );
      }
      if (type === "keyValue")
        return json(200, { key, value: (view as ReadOnlyKeyValueStore<unknown, unknown>).get(key) ?? null });
      if (type === "window") {
        const ws = view as ReadOnlyWindowStore<unknown, unknown>;
        const size = (sample as WindowStoreImpl<unknown, unknown> | undefined)?.windowSizeMs ?? 0;
        const windows = ws
          .fetchRange(key, num(from, 0), num(to, Number.MAX_SAFE_INTEGER))
          .map((e) => ({ start: e.start, end: e.start + size, value: e.value }));
        return json(200, { key, windows });
      }
      const sessions = (view as ReadOnlySessionStore<unknown, unknown>).fetch(key).map(windowJson);
      return json(200, { key, sessions });
    } catch (e) {
      return errorReply(e);
    }
  };
}

/** The parts of Node's http request and response the adapter uses (typed here: this module stays platform-neutral). */
interface NodeRequest {
  method?: string;
  url?: string;
  headers: Record<string, string | string[] | undefined>;
}
interface NodeResponse {
  statusCode: number;
  setHeader(name: string, value: string): unknown;
  end(body?: string): unknown;
}

/** Adapts a fetch-style handler to `http.createServer(nodeListener(handler))`. */
export function nodeListener(
  handler: (req: Request) => Promise<Response>,
): (req: NodeRequest, res: NodeResponse) => void {
  return (req, res) => {
    const host = typeof req.headers.host === "string" ? req.headers.host : "localhost";
    handler(new Request(`http://${host}${req.url ?? "/"}`, { method: req.method ?? "GET" }))
      .then(async (r) => {
        res.statusCode = r.status;
        r.headers.forEach((v, k) => res.setHeader(k, v));
        res.end(await r.text());
      })
      .catch((e) => {
        res.statusCode = 500;
        res.end(String(e));
      });
  };
}
