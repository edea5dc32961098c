// Calls the Worker in-process (inside workerd) the way an HTTP client would.

import { exports } from "cloudflare:workers";

export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export async function call<T = any>(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Reply<T>> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body instanceof Uint8Array) {
    init.body = body;
  } else if (body !== undefined) {
    init.body = typeof body === "string" ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)["content-type"] ??= "application/json";
  }
  const res = await exports.default.fetch(new Request(`http://edgelog.test${path}`, init));
  const type = res.headers.get("content-type") ?? "";
  // application/json, and the +json types of compatibility surfaces (the schema registry's).
  const parsed = /^application\/(?:[\w.-]+\+)?json/.test(type)
    ? await res.json()
    : new Uint8Array(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, body: parsed as T };
}

let seq = 0;
/** A topic name unique within the test file (storage is shared by the tests of one file). */
export function uniqueTopic(prefix = "t"): string {
  return `${prefix}-${Date.now().toString(36)}-${++seq}`;
}

export async function createTopic(name: string, partitions = 1, config?: Record<string, unknown>) {
  const r = await call("POST", "/v1/topics", { name, partitions, config });
  if (r.status !== 201) throw new Error(`create ${name}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

export async function produce(topic: string, records: unknown[], extra: Record<string, unknown> = {}) {
  return call("POST", `/v1/topics/${topic}/records`, { records, ...extra });
}

export async function fetchRecords(topic: string, partition: number, offset: number, query = "") {
  return call("GET", `/v1/topics/${topic}/partitions/${partition}/records?offset=${offset}${query}`);
}
