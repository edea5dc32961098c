// Worker mode inside workerd: a streams application's tasks run in member-host objects, their
// stores in each object's SQLite; a cleanly stopped task leaves a checkpoint its next start resumes
// from; under exactly_once a fenced task drops its uncommitted state, restores it and stays exact.
// And the bytes store spec against SQLite.

import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { MemberHostDO } from "../../src/host/host-do.js";
import { Serdes, StreamsBuilder } from "../../src/streams/index.js";
import { migrateStreamsStorage, SqliteBytesStore } from "../../src/streams/state/sqlite.js";
import {
  defineWorkerApplication,
  hostName,
  startWorkerApplications,
  stopWorkerApplication,
} from "../../src/streams/worker.js";
import { BYTES_STORE_CASES } from "../support/bytes-store-cases.js";
import { call, createTopic, produce, uniqueTopic } from "../support/api.js";
import { appEnv } from "../support/app-env.js";
import { memberHostObject } from "../../src/objects.js";

describe("SqliteBytesStore", () => {
  it.each(BYTES_STORE_CASES)("%s", async (name, run) => {
    const stub = memberHostObject(env, `bytes-store-spec:${name}`);
    await runInDurableObject(stub, (_o: MemberHostDO, state) => {
      migrateStreamsStorage(state.storage.sql);
      let n = 0;
      run(() => new SqliteBytesStore(state.storage.sql, `spec-${n++}`));
    });
  });
});

const app = uniqueTopic("wc");
const input = `${app}-lines`;
const output = `${app}-counts`;

function wordCount(from: string, to: string) {
  return () => {
    const b = new StreamsBuilder();
    b.stream<string | null, string>(from, { valueSerde: Serdes.Text() })
      .flatMapValues((line) => line.match(/\S+/g) ?? [])
      .groupBy((_k, w) => w)
      .count({ name: "counts" })
      .toStream()
      .to(to);
    return b.build();
  };
}

defineWorkerApplication({
  topology: wordCount(input, output),
  config: { applicationId: app, commitIntervalMs: 0, maxWaitMs: 10 },
  instances: 2,
});

const eos = uniqueTopic("wc-eos");
defineWorkerApplication({
  topology: wordCount(`${eos}-lines`, `${eos}-counts`),
  // Its topics are its own: the other test's start runs this application too, maybe before this one.
  config: {
    applicationId: eos,
    processingGuarantee: "exactly_once",
    maxWaitMs: 10,
    createTopics: { [`${eos}-lines`]: { partitions: 2 }, [`${eos}-counts`]: { partitions: 2 } },
  },
});

/** Every update per word in an output topic, in order (read_committed: committed ones only). */
async function updates(topic: string, isolation = "read_uncommitted"): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  for (let p = 0; p < 2; p++) {
    for (let offset = 0; ; ) {
      const r = await call(
        "GET",
        `/v1/topics/${topic}/partitions/${p}/records?offset=${offset}&max_records=1000&isolation=${isolation}`,
      );
      for (const rec of r.body.records) (out.get(rec.key) ?? out.set(rec.key, []).get(rec.key)!).push(rec.value);
      const end = isolation === "read_committed" ? r.body.last_stable_offset : r.body.high_watermark;
      if (r.body.next_offset >= end) break;
      offset = r.body.next_offset;
    }
  }
  return out;
}

/** The latest count per word in the output topic. */
async function latestCounts(topic = output, isolation?: string): Promise<Map<string, number>> {
  return new Map([...(await updates(topic, isolation))].map(([w, list]) => [w, list.at(-1)!]));
}

async function countsReach(
  expected: Map<string, number>,
  topic = output,
  isolation?: string,
): Promise<Map<string, number>> {
  for (;;) {
    const got = await latestCounts(topic, isolation);
    if ([...expected].every(([w, n]) => (got.get(w) ?? 0) >= n)) return got;
    await scheduler.wait(20);
  }
}

const words = (lines: string[]) => {
  const m = new Map<string, number>();
  for (const l of lines) for (const w of l.split(" ")) m.set(w, (m.get(w) ?? 0) + 1);
  return m;
};

describe("streams in Worker mode", () => {
  it("counts words in two host objects, serves queries from their SQLite, and resumes from checkpoints", async () => {
    await createTopic(input, 2);
    await createTopic(output, 2, { "cleanup.policy": "compact" });
    const first = Array.from({ length: 40 }, (_, i) => `w${i % 5} w${i % 3} x`);
    expect(
      (
        await produce(
          input,
          first.map((value) => ({ value })),
          { format: "string" },
        )
      ).status,
    ).toBe(200);
    await startWorkerApplications(appEnv);
    const expected = words(first);
    const counts = await countsReach(expected);
    // At least once: never below the exact count.
    for (const [w, n] of expected) expect(counts.get(w)).toBeGreaterThanOrEqual(n);

    // Each host answers for the tasks it holds; their rows are in its SQLite.
    const rows = await Promise.all(
      [0, 1].map((i) =>
        runInDurableObject(
          memberHostObject(env, hostName(app, i)),
          (_o: MemberHostDO, state) =>
            state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM streams_kv").one().n,
        ),
      ),
    );
    expect(rows[0]! + rows[1]!).toBe(expected.size);
    const host = memberHostObject(env, hostName(app, 0));
    const listed = await host.fetch(`http://edgelog.test/streams/${app}/stores/counts`);
    expect(listed.status).toBe(200);

    // A clean stop leaves each store's checkpoint marked clean at its changelog's end.
    await stopWorkerApplication(appEnv, app);
    const checkpoints = await Promise.all(
      [0, 1].map((i) =>
        runInDurableObject(memberHostObject(env, hostName(app, i)), (_o: MemberHostDO, state) =>
          state.storage.sql
            .exec<{ clean: number; changelog_offset: number }>(
              "SELECT clean, changelog_offset FROM streams_checkpoints",
            )
            .toArray(),
        ),
      ),
    );
    const all = checkpoints.flat();
    expect(all.length).toBe(2);
    expect(all.every((c) => c.clean === 1 && c.changelog_offset > 0)).toBe(true);
    const group = await call("GET", `/v1/groups/${app}`);
    expect(group.body.members).toEqual([]);

    // Started again, the tasks resume from the checkpoints and keep counting.
    const second = Array.from({ length: 20 }, (_, i) => `w${i % 5} y`);
    await produce(
      input,
      second.map((value) => ({ value })),
      { format: "string" },
    );
    await startWorkerApplications(appEnv);
    const total = words([...first, ...second]);
    const after = await countsReach(total);
    for (const [w, n] of total) expect(after.get(w)).toBeGreaterThanOrEqual(n);
    await stopWorkerApplication(appEnv, app);
  });
});

describe("streams in Worker mode, exactly_once", () => {
  it("a task fenced by another producer of its transactional id drops its uncommitted state, restores it and stays exact", async () => {
    await startWorkerApplications(appEnv);
    while ((await call("GET", `/v1/topics/${eos}-counts`)).status !== 200) await scheduler.wait(20);
    const first = Array.from({ length: 40 }, (_, i) => `w${i % 5} w${i % 3} x`);
    await produce(
      `${eos}-lines`,
      first.map((value) => ({ value })),
      { format: "string" },
    );
    await countsReach(words(first), `${eos}-counts`, "read_committed");

    // Another producer takes the counting tasks' transactional ids (a new owner would): their
    // producers are fenced, so their next transaction fails after they have counted its words into
    // their stores, and the host must drop those counts and rewind to its committed offsets.
    const ids = ["1_0", "1_1"].map((t) => `${eos}-${t}`);
    const taken = new Map<string, number>();
    for (const id of ids) {
      const r = await call("POST", `/v1/transactions/${id}/init`, {});
      expect(r.status).toBe(200);
      taken.set(id, r.body.producer.epoch);
    }
    const second = Array.from({ length: 30 }, (_, i) => `w${i % 5} y`);
    await produce(
      `${eos}-lines`,
      second.map((value) => ({ value })),
      { format: "string" },
    );
    const total = words([...first, ...second]);
    await countsReach(total, `${eos}-counts`, "read_committed");

    // Exact, and each update once: nothing of a fenced transaction is visible, nothing counted twice.
    const committed = await updates(`${eos}-counts`, "read_committed");
    for (const [w, n] of total) expect(committed.get(w), w).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    // The host took the ids back after being fenced (an init after ours moved their epochs on).
    for (const id of ids) {
      const d = await call("GET", `/v1/transactions/${id}`);
      expect(d.body.producer.epoch, id).toBeGreaterThan(taken.get(id)!);
    }
    // Both applications: this test's start ran the other one again too.
    await Promise.all([stopWorkerApplication(appEnv, eos), stopWorkerApplication(appEnv, app)]);
  });
});
