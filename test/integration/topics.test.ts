import { describe, expect, it } from "vitest";
import { call, createTopic, fetchRecords, produce, uniqueTopic } from "../support/api.js";

describe("topics", () => {
  it("creates, lists, describes, alters and deletes a topic", async () => {
    const name = uniqueTopic();
    const created = await call("POST", "/v1/topics", { name, partitions: 3, config: { "retention.ms": 60000 } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name, partitions: 3 });
    expect(created.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.body.config["retention.ms"]).toBe(60000);
    expect(created.body.config["cleanup.policy"]).toBe("delete");
    expect(created.body.config["max.message.bytes"]).toBe(1048588);

    const list = await call("GET", "/v1/topics");
    expect(list.body.topics.map((t: any) => t.name)).toContain(name);

    const described = await call("GET", `/v1/topics/${name}`);
    expect(described.status).toBe(200);
    expect(described.body.partition_count).toBe(3);
    expect(described.body.partitions).toEqual(
      [0, 1, 2].map((p) => ({
        partition: p,
        log_start_offset: 0,
        high_watermark: 0,
        last_stable_offset: 0,
        log_end_offset: 0,
        bytes: 0,
        archived_bytes: 0,
        segments: 0,
      })),
    );

    const altered = await call("PATCH", `/v1/topics/${name}`, {
      partitions: 5,
      config: { "cleanup.policy": "compact", "retention.ms": null },
    });
    expect(altered.status).toBe(200);
    expect(altered.body.partitions).toBe(5);
    expect(altered.body.config["cleanup.policy"]).toBe("compact");
    expect(altered.body.config["retention.ms"]).toBe(604800000);
    expect(altered.body.id).toBe(created.body.id);

    const p4 = await produce(name, [{ value: 1, partition: 4 }]);
    expect(p4.status).toBe(200);

    expect((await call("DELETE", `/v1/topics/${name}`)).status).toBe(204);
    expect((await call("GET", `/v1/topics/${name}`)).status).toBe(404);
    const gone = await produce(name, [{ value: 1 }]);
    expect(gone.status).toBe(404);
    expect(gone.body.error.code).toBe("UNKNOWN_TOPIC_OR_PARTITION");
  });

  it("gives a recreated topic a new id and none of the old data", async () => {
    const name = uniqueTopic();
    const first = await createTopic(name);
    await produce(name, [{ key: "a", value: "old" }]);
    await call("DELETE", `/v1/topics/${name}`);
    const second = await createTopic(name);
    expect(second.id).not.toBe(first.id);
    const r = await fetchRecords(name, 0, 0);
    expect(r.body.records).toEqual([]);
    expect(r.body.high_watermark).toBe(0);
  });

  it("accepts Kafka's string-typed config values and the delete,compact spelling", async () => {
    const name = uniqueTopic();
    const t = await createTopic(name, 1, {
      "retention.ms": "1000",
      "cleanup.policy": "delete,compact",
      "message.timestamp.type": "LogAppendTime",
    });
    expect(t.config["retention.ms"]).toBe(1000);
    expect(t.config["cleanup.policy"]).toBe("compact,delete");
  });

  describe("bad input", () => {
    const cases: [string, unknown, number, string][] = [
      ["invalid characters", { name: "a/b" }, 400, "INVALID_TOPIC_EXCEPTION"],
      ["dot", { name: "." }, 400, "INVALID_TOPIC_EXCEPTION"],
      ["dot dot", { name: ".." }, 400, "INVALID_TOPIC_EXCEPTION"],
      ["too long", { name: "x".repeat(250) }, 400, "INVALID_TOPIC_EXCEPTION"],
      ["empty", { name: "" }, 400, "INVALID_TOPIC_EXCEPTION"],
      ["name of the wrong type", { name: 5 }, 400, "INVALID_REQUEST"],
      ["zero partitions", { name: "ok-name", partitions: 0 }, 400, "INVALID_PARTITIONS"],
      ["too many partitions", { name: "ok-name", partitions: 5000 }, 400, "INVALID_PARTITIONS"],
      ["fractional partitions", { name: "ok-name", partitions: 1.5 }, 400, "INVALID_REQUEST"],
      ["unknown config key", { name: "ok-name", config: { "retention.hours": 1 } }, 400, "INVALID_CONFIG"],
      ["config of the wrong type", { name: "ok-name", config: { "retention.ms": "soon" } }, 400, "INVALID_CONFIG"],
      ["config out of range", { name: "ok-name", config: { "max.message.bytes": 10_000_000 } }, 400, "INVALID_CONFIG"],
      ["bad enum", { name: "ok-name", config: { "cleanup.policy": "forever" } }, 400, "INVALID_CONFIG"],
      ["unknown region", { name: "ok-name", config: { "replica.regions": ["mars"] } }, 400, "INVALID_CONFIG"],
      [
        "min.insync.replicas above replicas",
        { name: "ok-name", config: { "min.insync.replicas": 2 } },
        400,
        "INVALID_CONFIG",
      ],
      ["unknown field", { name: "ok-name", partitionz: 3 }, 400, "INVALID_REQUEST"],
    ];
    for (const [what, body, status, code] of cases) {
      it(`rejects ${what} with ${code} and creates nothing`, async () => {
        const r = await call("POST", "/v1/topics", body);
        expect(r.status).toBe(status);
        expect(r.body.error.code).toBe(code);
        expect(r.body.error.message).toBeTruthy();
        expect(typeof r.body.error.retriable).toBe("boolean");
        const list = await call("GET", "/v1/topics");
        expect(list.body.topics.map((t: any) => t.name)).not.toContain("ok-name");
      });
    }

    it("rejects malformed JSON", async () => {
      const r = await call("POST", "/v1/topics", "{not json");
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe("INVALID_REQUEST");
      expect(r.body.error.message).toMatch(/malformed JSON/);
    });

    it("rejects a duplicate name with 409 TOPIC_ALREADY_EXISTS", async () => {
      const name = uniqueTopic();
      const first = await createTopic(name, 2);
      const r = await call("POST", "/v1/topics", { name, partitions: 7 });
      expect(r.status).toBe(409);
      expect(r.body.error.code).toBe("TOPIC_ALREADY_EXISTS");
      const d = await call("GET", `/v1/topics/${name}`);
      expect(d.body.id).toBe(first.id);
      expect(d.body.partition_count).toBe(2);
    });

    it("refuses a name that collides with an existing one once '.' and '_' are alike, as Kafka does", async () => {
      const base = uniqueTopic("collide");
      await createTopic(`${base}.orders`);
      const r = await call("POST", "/v1/topics", { name: `${base}_orders` });
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe("INVALID_TOPIC_EXCEPTION");
      expect(r.body.error.message).toContain(`collides with existing topic ${base}.orders`);
      await createTopic(`${base}_x_y`);
      expect((await call("POST", "/v1/topics", { name: `${base}_x.y` })).body.error.code).toBe(
        "INVALID_TOPIC_EXCEPTION",
      );
      expect((await call("GET", `/v1/topics/${base}_orders`)).status).toBe(404);
      expect((await call("GET", `/v1/topics/${base}_x.y`)).status).toBe(404);
      // A name that only looks alike otherwise is fine.
      await createTopic(`${base}-orders`);
    });

    it("refuses to shrink partitions or set bad config on alter, changing nothing", async () => {
      const name = uniqueTopic();
      await createTopic(name, 3);
      const shrink = await call("PATCH", `/v1/topics/${name}`, { partitions: 2 });
      expect(shrink.status).toBe(400);
      expect(shrink.body.error.code).toBe("INVALID_PARTITIONS");
      const bad = await call("PATCH", `/v1/topics/${name}`, { partitions: 4, config: { "segment.ms": -5 } });
      expect(bad.body.error.code).toBe("INVALID_CONFIG");
      const d = await call("GET", `/v1/topics/${name}`);
      expect(d.body.partition_count).toBe(3);
      expect(d.body.version).toBe(1);
    });

    it("answers 404 for unknown topics on every route", async () => {
      for (const [m, p] of [
        ["GET", "/v1/topics/nope"],
        ["PATCH", "/v1/topics/nope"],
        ["DELETE", "/v1/topics/nope"],
        ["GET", "/v1/topics/nope/partitions/0/records?offset=0"],
        ["GET", "/v1/topics/nope/partitions/0/offsets"],
      ]) {
        const r = await call(m!, p!, m === "PATCH" ? { partitions: 2 } : undefined);
        expect(r.status, `${m} ${p}`).toBe(404);
        expect(r.body.error.code).toBe("UNKNOWN_TOPIC_OR_PARTITION");
      }
    });
  });
});
