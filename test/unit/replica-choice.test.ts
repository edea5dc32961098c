// Which copy serves a read: the reader's region from request.cf, the local override, explicit choices.

import { describe, expect, it } from "vitest";
import { pickReplica, regionOf } from "../../src/router/replicas.js";
import type { Env } from "../../src/env.js";
import type { Topic } from "../../src/protocol/topic.js";
import { DEFAULT_TOPIC_CONFIG } from "../../src/protocol/topic-config.js";

const topic = (regions: string[]): Topic => ({
  name: "feed",
  id: "id",
  partitions: 1,
  version: 1,
  created_at: 0,
  config: { ...DEFAULT_TOPIC_CONFIG, "replica.regions": regions },
});
const env = (vars: Partial<Env> = {}) => ({ ...vars }) as Env;

describe("regionOf", () => {
  it("maps Cloudflare's continent, country and longitude to a location hint", () => {
    expect(regionOf({ continent: "EU", country: "FR", longitude: "2.35" })).toBe("weur");
    expect(regionOf({ continent: "EU", country: "PL", longitude: "21.0" })).toBe("eeur");
    expect(regionOf({ continent: "NA", country: "US", longitude: "-122.4" })).toBe("wnam");
    expect(regionOf({ continent: "NA", country: "US", longitude: "-74.0" })).toBe("enam");
    expect(regionOf({ continent: "AS", country: "JP", longitude: "139.7" })).toBe("apac");
    expect(regionOf({ continent: "AS", country: "AE", longitude: "55.3" })).toBe("me");
    expect(regionOf({ continent: "OC", country: "AU", longitude: "151.2" })).toBe("oc");
    expect(regionOf({ continent: "SA", country: "BR", longitude: "-46.6" })).toBe("sam");
    expect(regionOf({ continent: "AF", country: "ZA", longitude: "28.0" })).toBe("afr");
    expect(regionOf(undefined)).toBeNull();
  });
});

describe("pickReplica", () => {
  const paris = { continent: "EU", country: "FR", longitude: "2.35" };
  it("sends a reader to its own region's copy when the topic has one, else to the leader", () => {
    expect(pickReplica(env(), topic(["weur", "apac"]), undefined, paris)).toBe("weur");
    expect(pickReplica(env(), topic(["apac"]), "nearest", paris)).toBeNull();
    expect(pickReplica(env(), topic([]), undefined, paris)).toBeNull();
  });
  it("honours EDGELOG_REPLICA_REGION over request.cf (local runs, tests)", () => {
    expect(pickReplica(env({ EDGELOG_REPLICA_REGION: "apac" }), topic(["weur", "apac"]), undefined, paris)).toBe(
      "apac",
    );
    expect(() => pickReplica(env({ EDGELOG_REPLICA_REGION: "mars" }), topic(["weur"]), undefined, paris)).toThrow(
      /EDGELOG_REPLICA_REGION/,
    );
  });
  it("takes an explicit leader or region, and refuses a region the topic has no copy in", () => {
    expect(pickReplica(env(), topic(["weur"]), "leader", paris)).toBeNull();
    expect(pickReplica(env(), topic(["weur", "apac"]), "apac", paris)).toBe("apac");
    expect(() => pickReplica(env(), topic(["weur"]), "oc", paris)).toThrow(
      expect.objectContaining({ code: "INVALID_REQUEST" }),
    );
  });
});

describe("replica.regions config", () => {
  it("takes an array or Kafka's comma-separated string, and names the bad region", async () => {
    const { parseTopicConfig } = await import("../../src/protocol/topic-config.js");
    expect(parseTopicConfig({ "replica.regions": ["weur", "apac"] })["replica.regions"]).toEqual(["weur", "apac"]);
    expect(parseTopicConfig({ "replica.regions": "weur, apac" })["replica.regions"]).toEqual(["weur", "apac"]);
    expect(parseTopicConfig({ "replica.regions": "" })["replica.regions"]).toEqual([]);
    expect(() => parseTopicConfig({ "replica.regions": "weur,moon" })).toThrow(/unknown region "moon"/);
    expect(() => parseTopicConfig({ "replica.regions": ["weur", "weur"] })).toThrow(/listed twice/);
    expect(() => parseTopicConfig({ "replica.lag.time.max.ms": 5 })).toThrow(
      /replica.lag.time.max.ms must be 10..3600000/,
    );
  });
});
