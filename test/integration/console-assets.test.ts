// The console's static files as the Worker serves them (wrangler.toml [assets], dist/assets): at
// /console/ with their Content-Security-Policy, without shadowing the API. In the Workers pool
// SELF.fetch reaches the Worker directly and skips the assets; an outbound fetch comes back through
// the same asset router a deployment has (vitest.config.ts routes it to this Worker).

import { describe, expect, it } from "vitest";

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`http://edgelog.test${path}`, { headers, redirect: "manual" });

describe("the console's static files", () => {
  it("serves /console/ as HTML under a strict Content-Security-Policy, and redirects /console there", async () => {
    const moved = await get("/console");
    expect(moved.status).toBe(307);
    expect(moved.headers.get("location")).toBe("/console/");

    const page = await get("/console/");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(await page.text()).toContain('<script type="module" src="app.js">');
    const csp = page.headers.get("content-security-policy")!;
    expect(csp.split("; ")).toEqual(
      expect.arrayContaining([
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'none'",
      ]),
    );
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    expect(page.headers.get("referrer-policy")).toBe("no-referrer");

    const script = await get("/console/app.js");
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toContain("javascript");
    expect(script.headers.get("content-security-policy")).toBe(csp);
  });

  it("leaves the API to the Worker, also for a browser's navigation (no single-page fallback)", async () => {
    const navigate = { "sec-fetch-mode": "navigate", accept: "text/html" };
    const topics = await get("/v1/topics", navigate);
    expect(topics.status).toBe(200);
    expect(await topics.json()).toEqual({ topics: [], next_after: null });
    expect(topics.headers.get("content-security-policy")).toBeNull();

    const missing = await get("/console/no-such-file", navigate);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("ROUTE_NOT_FOUND");
  });
});
