// One JSON request to a running server, for e2e fixtures that want the parsed body or a thrown error.

/** Sends `body` as JSON to `baseUrl + path`; answers the parsed reply (undefined when empty), throws on a non-2xx. */
export async function requestJson(baseUrl: string, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(baseUrl + path, {
    method,
    body: body === undefined ? undefined : JSON.stringify(body),
    headers: { "content-type": "application/json" },
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}
