// Clients of GET /v1/topics follow its pages: the SDK's admin (and so the CLI's `topics list`)
// and the Kafka gateway's Metadata see every topic, against a server whose pages hold two.

import { describe, expect, it } from "vitest";
import { Edgelog } from "../../src/client/index.js";
import { metadata } from "../../src/gateway/handlers/topics.js";
import type { RequestContext } from "../../src/gateway/handlers/context.js";
import { Upstream } from "../../src/gateway/upstream.js";

const NAMES = ["a", "b", "c", "d", "e"];

/** GET /v1/topics answered two topics at a time, whatever limit is asked. */
function pagedTopics(url: string): { topics: { name: string; partitions: number }[]; next_after: string | null } {
  const after = new URL(url, "http://x").searchParams.get("after");
  const rest = NAMES.filter((n) => after === null || n > after);
  const page = rest.slice(0, 2);
  return {
    topics: page.map((name) => ({ name, partitions: 1 })),
    next_after: rest.length > 2 ? page.at(-1)! : null,
  };
}

describe("topic listing clients", () => {
  it("the SDK's admin.listTopics() follows next_after to the last page", async () => {
    const paths: string[] = [];
    const fetch = (async (input: string | URL | Request) => {
      const url = String(input);
      paths.push(new URL(url).pathname + new URL(url).search);
      return Response.json(pagedTopics(url));
    }) as typeof globalThis.fetch;
    const topics = await new Edgelog({ url: "http://x", fetch }).admin().listTopics();
    expect(topics.map((t) => t.name)).toEqual(NAMES);
    expect(paths).toHaveLength(3);
    expect(paths[1]).toContain("after=b");
  });

  it("the gateway's Metadata for all topics lists every page", async () => {
    const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
      expect(init?.method).toBe("GET");
      return Response.json(pagedTopics(String(input)));
    }) as typeof globalThis.fetch;
    const upstream = new Upstream({ url: "http://x", fetch });
    const ctx: RequestContext = {
      upstream,
      identity: { host: "127.0.0.1", port: 9092, autoCreateTopics: false },
      version: 1,
      clientId: null,
      clientHost: null,
      notice: () => {},
      signal: new AbortController().signal,
    };
    const reply = (await metadata({ Topics: null, AllowAutoTopicCreation: false }, ctx)) as {
      Topics: { Name: string }[];
    };
    expect(reply.Topics.map((t) => t.Name)).toEqual(NAMES);
    // A topic asked by name is found on a later page too.
    const named = (await metadata({ Topics: [{ Name: "e" }], AllowAutoTopicCreation: false }, ctx)) as {
      Topics: { Name: string; ErrorCode: number }[];
    };
    expect(named.Topics).toEqual([expect.objectContaining({ Name: "e", ErrorCode: 0 })]);
  });
});
