// Routes in the URL fragment (/console/#/topics/orders?tab=messages): static files need no server
// fallback, deep links and the back button work, and the fragment never reaches a server.

export interface Location {
  path: string;
  query: URLSearchParams;
}

export function parseHash(hash: string): Location {
  const raw = hash.replace(/^#/, "") || "/";
  const q = raw.indexOf("?");
  const path = q < 0 ? raw : raw.slice(0, q);
  return { path: path.startsWith("/") ? path : `/${path}`, query: new URLSearchParams(q < 0 ? "" : raw.slice(q + 1)) };
}

/** `/topics/:topic` against `/topics/orders` → { topic: "orders" }; null when it does not match. */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split("/").filter(Boolean);
  const got = path.split("/").filter(Boolean);
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    let g: string;
    try {
      g = decodeURIComponent(got[i]!);
    } catch {
      return null;
    }
    if (w.startsWith(":")) params[w.slice(1)] = g;
    else if (w !== g) return null;
  }
  return params;
}

/** A fragment link: href("/topics/:topic", { topic: "a b" }, { tab: "x" }) → "#/topics/a%20b?tab=x". */
export function href(pattern: string, params: Record<string, string> = {}, query: Record<string, string> = {}): string {
  const path = pattern.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(params[name] ?? ""));
  const qs = new URLSearchParams(query).toString();
  return `#${path}${qs ? `?${qs}` : ""}`;
}
