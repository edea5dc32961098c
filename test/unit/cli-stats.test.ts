// `edgelog stats`: its flags, and the table computed from two scrapes of /metrics.

import { describe, expect, it } from "vitest";
import { parseArgv } from "../../src/cli/args.js";
import { computeStats, parseExposition, renderStats } from "../../src/cli/stats.js";

describe("edgelog stats", () => {
  it("parses --interval, --top and --once, refusing nonsense", () => {
    expect(parseArgv(["stats"]).command).toEqual({ kind: "stats", intervalMs: 2_000, top: 10, once: false });
    expect(parseArgv(["stats", "--interval", "5", "--top", "3", "--once"]).command).toEqual({
      kind: "stats",
      intervalMs: 5_000,
      top: 3,
      once: true,
    });
    expect(() => parseArgv(["stats", "--interval", "0"])).toThrow(/--interval must be an integer >= 1/);
    expect(() => parseArgv(["stats", "--top", "x"])).toThrow(/--top must be an integer >= 1/);
  });

  const scrape = (a: number, b: number, lag: number) => `# HELP messaging_client_sent_messages_total x
# TYPE messaging_client_sent_messages_total counter
messaging_client_sent_messages_total{topic="orders",partition="0"} ${a}
messaging_client_sent_messages_total{topic="orders",partition="1"} ${b}
edgelog_bytes_in_total{topic="orders",partition="0"} ${a * 100}
edgelog_high_watermark{topic="orders",partition="0"} ${a}
edgelog_group_lag{group="billing",topic="orders",partition="0"} ${lag}
edgelog_group_lag{group="audit",topic="orders",partition="1"} 2
`;

  it("ranks partitions by records per second between two scrapes, and groups by lag", () => {
    const before = parseExposition(scrape(100, 10, 5));
    const after = parseExposition(scrape(300, 20, 40));
    const s = computeStats(before, after, 2, 10);
    expect(s.partitions[0]).toEqual({
      topic: "orders",
      partition: "0",
      recordsInPerSec: 100,
      bytesInPerSec: 10_000,
      recordsOutPerSec: 0,
      highWatermark: 300,
    });
    expect(s.partitions[1]).toMatchObject({ partition: "1", recordsInPerSec: 5, highWatermark: null });
    expect(s.groups.map((g) => [g.group, g.lag])).toEqual([
      ["billing", 40],
      ["audit", 2],
    ]);
    expect(computeStats(before, after, 2, 1).partitions).toHaveLength(1);
    const table = renderStats(s, new Date(0), 2);
    expect(table).toContain("BUSIEST PARTITIONS");
    expect(table).toMatch(/orders\s+0\s+100\s+10000\s+0\.0\s+300/);
    expect(table).toMatch(/billing\s+orders\s+0\s+40/);
  });
});
