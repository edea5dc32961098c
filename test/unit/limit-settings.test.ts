// The caps' variables: Kafka's defaults when unset, the operator's value when set, a clear error otherwise.

import { describe, expect, it } from "vitest";
import { readSettings } from "../../src/settings.js";

const settings = (vars: Record<string, string>) => readSettings(vars);

describe("limit settings", () => {
  it("default to 200 members per group (Kafka's group.consumer.max.size) and 10000 topics", () => {
    const s = settings({});
    expect(s.group.maxSize).toBe(200);
    expect(s.maxTopics).toBe(10_000);
  });

  it("take EDGELOG_GROUP_MAX_SIZE and EDGELOG_MAX_TOPICS, refusing what is not a positive integer", () => {
    const s = settings({ EDGELOG_GROUP_MAX_SIZE: "5", EDGELOG_MAX_TOPICS: "50" });
    expect(s.group.maxSize).toBe(5);
    expect(s.maxTopics).toBe(50);
    expect(() => settings({ EDGELOG_GROUP_MAX_SIZE: "0" })).toThrow(/EDGELOG_GROUP_MAX_SIZE/);
    expect(() => settings({ EDGELOG_MAX_TOPICS: "lots" })).toThrow(/EDGELOG_MAX_TOPICS/);
  });
});
