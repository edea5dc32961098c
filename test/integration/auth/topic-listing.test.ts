// GET /v1/topics pages as GET /v1/groups does (limit, after, next_after), and a scoped token's
// pages hold only the topics it may describe, however many others sort between them.

import { describe, expect, it } from "vitest";
import { call } from "../../support/api.js";
import { asAdmin, callAs, createToken } from "../../support/auth.js";

/** Follows next_after from the first page; returns each page's names. */
async function pages(token: string | undefined, limit: number): Promise<string[][]> {
  const out: string[][] = [];
  let after: string | null = null;
  do {
    const query: string = `?limit=${limit}${after === null ? "" : `&after=${encodeURIComponent(after)}`}`;
    const r =
      token === undefined
        ? await call("GET", `/v1/topics${query}`, undefined, asAdmin)
        : await callAs(token, "GET", `/v1/topics${query}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.topics.length).toBeLessThanOrEqual(limit);
    out.push(r.body.topics.map((t: { name: string }) => t.name));
    after = r.body.next_after;
    if (out.length > 100) throw new Error("paging does not end");
  } while (after !== null);
  return out;
}

describe("GET /v1/topics", () => {
  it("pages with limit and after, ending with next_after null; the pages together hold every topic once", async () => {
    const base = `paged-${Date.now().toString(36)}`;
    const names = ["a", "b", "c", "d", "e"].map((s) => `${base}-${s}`);
    for (const name of names) expect((await call("POST", "/v1/topics", { name }, asAdmin)).status).toBe(201);
    const first = await call("GET", "/v1/topics?limit=2", undefined, asAdmin);
    expect(first.body.topics).toHaveLength(2);
    expect(first.body.next_after).toBe(first.body.topics[1].name);
    const all = (await pages(undefined, 2)).flat();
    expect(new Set(all).size).toBe(all.length);
    expect(all).toEqual([...all].sort());
    expect(all.filter((n) => n.startsWith(base))).toEqual(names);
  });

  it("gives a scoped token full pages of its own topics, skipping the others between them", async () => {
    const base = `scoped-${Date.now().toString(36)}`;
    // Mine: -a-, -c-, -e-, -g-, -i-; between them, topics the token may not see.
    for (const s of ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"]) {
      expect((await call("POST", "/v1/topics", { name: `${base}-${s}` }, asAdmin)).status).toBe(201);
    }
    const mine = ["a", "c", "e", "g", "i"].map((s) => `${base}-${s}`);
    const { token } = await createToken(mine.map((name) => ({ resource: `topic:${name}`, operations: ["describe"] })));
    expect(await pages(token, 2)).toEqual([mine.slice(0, 2), mine.slice(2, 4), mine.slice(4)]);
  });

  it("refuses a bad limit: 400 INVALID_REQUEST", async () => {
    for (const limit of ["0", "1001", "x"]) {
      const r = await call("GET", `/v1/topics?limit=${limit}`, undefined, asAdmin);
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe("INVALID_REQUEST");
    }
  });
});
