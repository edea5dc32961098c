// The API token of this tab: kept in sessionStorage (gone when the tab closes, never in a URL or a
// cookie), read by every request the console makes.

const KEY = "edgelog.console.token";

export function savedToken(): string | undefined {
  return sessionStorage.getItem(KEY) ?? undefined;
}

export function saveToken(token: string): void {
  sessionStorage.setItem(KEY, token);
}

export function forgetToken(): void {
  sessionStorage.removeItem(KEY);
}

/** What to call the signed-in token without showing its secret: a scoped token's id, or "admin". */
export function tokenLabel(token: string | undefined): string {
  if (!token) return "no token (authentication is off)";
  const m = /^elg_([0-9a-f]{16})_/.exec(token);
  return m ? `token ${m[1]}` : "admin token";
}
