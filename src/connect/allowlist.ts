// The operator's allowlist of hosts an http-sink may call (EDGELOG_CONNECT_HTTP_ALLOWED_HOSTS):
// a connector can only reach what the deployment's operator named, never an arbitrary address.

/** Parses the variable: comma-separated `host`, `host:port` or `*.suffix` entries. */
export function parseAllowedHosts(raw: string | undefined): string[] {
  return (raw ?? "")
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== "");
}

function entryMatches(entry: string, host: string, port: string): boolean {
  const colon = entry.lastIndexOf(":");
  const [eHost, ePort] =
    colon > 0 && !entry.endsWith("]") ? [entry.slice(0, colon), entry.slice(colon + 1)] : [entry, ""];
  if (ePort !== "" && ePort !== port) return false;
  if (eHost.startsWith("*.")) return host.endsWith(eHost.slice(1)) && host.length > eHost.length - 1;
  return eHost === host;
}

/** Why `url` may not be called, or undefined when it may. */
export function hostAllowed(url: string, allowed: readonly string[]): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `Invalid URL ${JSON.stringify(url)}`;
  }
  if (u.protocol !== "http:" && u.protocol !== "https:")
    return `Only http and https URLs are allowed, not ${u.protocol}`;
  if (u.username !== "" || u.password !== "") return "Credentials in the URL are not allowed; send them in headers";
  const port = u.port !== "" ? u.port : u.protocol === "https:" ? "443" : "80";
  const host = u.hostname.toLowerCase();
  if (allowed.some((e) => entryMatches(e, host, port))) return undefined;
  return allowed.length === 0
    ? `Host ${u.host} is not allowed: this deployment allows no http-sink hosts (the operator sets EDGELOG_CONNECT_HTTP_ALLOWED_HOSTS)`
    : `Host ${u.host} is not in EDGELOG_CONNECT_HTTP_ALLOWED_HOSTS (${allowed.join(", ")})`;
}
