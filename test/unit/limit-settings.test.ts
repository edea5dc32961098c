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

describe("EDGELOG_* variable spec", () => {
  it("defaults to the documented values when a variable is unset or empty", () => {
    // Written out here rather than read from the spec table.
    expect(settings({})).toEqual({
      producerIdExpirationMs: 604_800_000,
      replicaRegion: null,
      streamLongPollMs: 20_000,
      mirrorWaitMs: 10_000,
      maxTopics: 10_000,
      metrics: { pushMs: 10_000, cacheMs: 5_000, analyticsMs: 60_000 },
      benchTrace: false,
      group: {
        minSessionTimeoutMs: 6_000,
        maxSessionTimeoutMs: 300_000,
        defaultSessionTimeoutMs: 45_000,
        metadataMaxAgeMs: 5_000,
        maxSize: 200,
      },
    });
    expect(settings({ EDGELOG_MIRROR_WAIT_MS: "", EDGELOG_REPLICA_REGION: "" }).mirrorWaitMs).toBe(10_000);
    expect(settings({ EDGELOG_METRICS_PUSH_MS: "0", EDGELOG_METRICS_CACHE_MS: "0" }).metrics).toMatchObject({
      pushMs: 0,
      cacheMs: 0,
    });
    expect(() => settings({ EDGELOG_ANALYTICS_INTERVAL_MS: "999" })).toThrow(/EDGELOG_ANALYTICS_INTERVAL_MS/);
  });

  it("holds each variable to its bounds, naming the variable and what it accepts", () => {
    expect(settings({ EDGELOG_MIRROR_WAIT_MS: "0", EDGELOG_GROUP_METADATA_MAX_AGE_MS: "0" })).toMatchObject({
      mirrorWaitMs: 0,
      group: { metadataMaxAgeMs: 0 },
    });
    expect(() => settings({ EDGELOG_MIRROR_WAIT_MS: "30001" })).toThrow(
      /EDGELOG_MIRROR_WAIT_MS must be an integer at least 0 and at most 30000, got "30001"/,
    );
    expect(() => settings({ EDGELOG_STREAM_LONG_POLL_MS: "0" })).toThrow(/EDGELOG_STREAM_LONG_POLL_MS/);
    expect(() => settings({ EDGELOG_PRODUCER_ID_EXPIRATION_MS: "1.5" })).toThrow(/EDGELOG_PRODUCER_ID_EXPIRATION_MS/);
    expect(settings({ EDGELOG_REPLICA_REGION: "weur" }).replicaRegion).toBe("weur");
    expect(() => settings({ EDGELOG_REPLICA_REGION: "mars" })).toThrow(/EDGELOG_REPLICA_REGION must be one of wnam/);
  });

  it("refuses session timeout bounds that cross, and keeps Kafka's default session timeout inside them", () => {
    expect(() =>
      settings({ EDGELOG_GROUP_MIN_SESSION_TIMEOUT_MS: "9000", EDGELOG_GROUP_MAX_SESSION_TIMEOUT_MS: "8000" }),
    ).toThrow(/must not exceed/);
    expect(settings({ EDGELOG_GROUP_MAX_SESSION_TIMEOUT_MS: "10000" }).group.defaultSessionTimeoutMs).toBe(10_000);
  });
});
