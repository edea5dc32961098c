// Leader failover of geo-replicated partitions inside workerd: a lost leader region under acks=all
// load, a zombie leader fenced and truncated on its return, a preferred-leader election back home,
// and the admin election's bad input. "Regions" are the network table of test/worker.ts.

import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { partitionObject } from "../../src/objects.js";
import type { PartitionDO } from "../worker.js";
import { call, createTopic, uniqueTopic } from "../support/api.js";
import { settle } from "../support/archive.js";
import { rows, topicId, until } from "../support/replication.js";
import { endTxn, initTxn, type Txn, txnProduce, uniqueTxnId, values } from "../support/transactions.js";

/** replica.lag.time.max.ms for these topics: how long a silent leader is trusted. */
const LAG_MS = 300;
const REGIONS = ["weur", "apac"];

type Stub = DurableObjectStub<PartitionDO>;

async function copyOf(topic: string, name: string): Promise<Stub> {
  return partitionObject(env, await topicId(topic), 0, name === "home" ? null : name) as unknown as Stub;
}

/** The shared network table (test/worker.ts), changed through any partition object. */
async function net(topic: string, change: (n: PartitionDO["network"], ids: Record<string, string>) => void) {
  const ids: Record<string, string> = {};
  for (const c of ["home", ...REGIONS]) ids[c] = (await copyOf(topic, c)).id.toString();
  await runInDurableObject(await copyOf(topic, "weur"), (o: PartitionDO) => change(o.network, ids));
}

afterEach(async () => {
  // Every test leaves the network whole (a failed one too).
  await runInDurableObject(partitionObject(env, "any", 0) as unknown as Stub, (o: PartitionDO) => o.network.clear());
});

async function geoTopic(extra: Record<string, unknown> = {}): Promise<string> {
  const topic = uniqueTopic("fo");
  await createTopic(topic, 1, {
    "replica.regions": REGIONS,
    "min.insync.replicas": 2,
    "replica.lag.time.max.ms": LAG_MS,
    ...extra,
  });
  return topic;
}

async function newProducer(): Promise<{ id: string; epoch: number }> {
  return (await call("POST", "/v1/producers")).body;
}

/** Whom a copy takes for the leader (its stored view; the home copy leads epoch 0 until told). */
async function viewOf(topic: string, name: string): Promise<{ leader: string; epoch: number }> {
  return runInDurableObject(
    await copyOf(topic, name),
    (_o, state) => state.storage.kv.get("leadership") ?? { leader: "home", epoch: 0 },
  );
}

/**
 * An idempotent producer's send of record `n` with acks=all, retried as a client does while the
 * answer is retriable (the leader lost, an election under way); returns when acknowledged.
 */
async function sendUntilAcked(topic: string, producer: { id: string; epoch: number }, n: number, value: unknown = n) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const r = await call("POST", `/v1/topics/${topic}/records`, {
      acks: "all",
      records: [{ value }],
      producer: { ...producer, sequence: n },
    });
    if (r.status === 200) return r.body.records[0] as { offset: number; duplicate?: boolean };
    if (!r.body?.error?.retriable || Date.now() > deadline) {
      throw new Error(`record ${n}: ${r.status} ${JSON.stringify(r.body)}`);
    }
    await scheduler.wait(20); // a client's retry backoff
  }
}

/**
 * Ends a transaction and awaits its markers on the partition: the coordinator's answer may come
 * before they are written (they wait for the in-sync copies, which a loaded machine slows).
 */
async function endAndSettle(t: Txn, topic: string, result: "commit" | "abort"): Promise<void> {
  expect((await endTxn(t, result)).body.result).toBe(result === "commit" ? "committed" : "aborted");
  await until(
    "the markers written",
    () => call("GET", `/v1/topics/${topic}/partitions/0/transactions`),
    (r) => r.status === 200 && r.body.transactions.length === 0,
  );
  // The coordinator completes once the markers' acknowledgements reach it, which can trail the
  // partition; until then the next transaction's first produce is (retriably) CONCURRENT_TRANSACTIONS.
  await until(
    "the coordinator completed",
    () => call("GET", `/v1/transactions/${t.id}`),
    (r) => r.status === 200 && r.body.pending_markers === 0 && !r.body.state.startsWith("Prepare"),
  );
}

async function allValues(topic: string): Promise<{ offset: number; value: unknown }[]> {
  const out: { offset: number; value: unknown }[] = [];
  for (let offset = 0; ; ) {
    const r = await call("GET", `/v1/topics/${topic}/partitions/0/records?offset=${offset}&replica=leader`);
    expect(r.status).toBe(200);
    if (r.body.records.length === 0) return out;
    out.push(...r.body.records.map((x: { offset: number; value: unknown }) => ({ offset: x.offset, value: x.value })));
    offset = r.body.next_offset; // past transaction markers too, which take offsets
  }
}

describe("leader failover", () => {
  it("a lost leader region under acks=all load: a follower takes over, nothing acknowledged is lost, offsets stay dense", async () => {
    const topic = await geoTopic();
    const producer = await newProducer();
    const N = 40;
    for (let n = 0; n < N / 2; n++) await sendUntilAcked(topic, producer, n);

    await net(topic, (n, ids) => n.down.add(ids.home!));
    const lostAt = Date.now();
    let firstAckAfterLoss = 0;
    for (let n = N / 2; n < N; n++) {
      await sendUntilAcked(topic, producer, n);
      firstAckAfterLoss ||= Date.now();
    }
    console.log(`failover: write unavailability ${firstAckAfterLoss - lostAt} ms (replica.lag.time.max.ms ${LAG_MS})`);

    const views = await Promise.all(REGIONS.map((r) => viewOf(topic, r)));
    expect(views.every((v) => v.epoch === 1 && REGIONS.includes(v.leader))).toBe(true);
    expect(views[0]).toEqual(views[1]);
    const d = (await call("GET", `/v1/topics/${topic}`)).body.partitions[0];
    expect(d).toMatchObject({ leader: views[0]!.leader, leader_epoch: 1, high_watermark: N, log_end_offset: N });
    const records = await allValues(topic);
    expect(records.map((r) => r.value)).toEqual(Array.from({ length: N }, (_, i) => i));
    expect(records.map((r) => r.offset)).toEqual(Array.from({ length: N }, (_, i) => i));
    // OffsetForLeaderEpoch from the new leader's checkpoint: epoch 0 ends where epoch 1 began.
    const epochEnd = (e: number) =>
      call("GET", `/v1/topics/${topic}/partitions/0/offset-for-leader-epoch?epoch=${e}`).then((r) => r.body);
    expect(await epochEnd(0)).toEqual({ leader_epoch: 0, end_offset: N / 2 });
    expect(await epochEnd(1)).toEqual({ leader_epoch: 1, end_offset: N });
  });

  it("a zombie leader cut off from its followers is deposed, refuses writes on return, and its acks=1 suffix is truncated", async () => {
    const topic = await geoTopic();
    const producer = await newProducer();
    for (let n = 0; n < 5; n++) await sendUntilAcked(topic, producer, n);
    const aborted = await initTxn(uniqueTxnId());
    await txnProduce(aborted, topic, 0, ["aborted"]);
    await endAndSettle(aborted, topic, "abort");

    // The home copy still takes clients' calls but reaches no follower and no voter.
    await net(topic, (n, ids) => n.isolated.add(ids.home!));
    const lost = await call("POST", `/v1/topics/${topic}/records`, { acks: 1, records: [{ value: "zombie-1" }] });
    expect(lost.status).toBe(200);
    // A transaction the zombie alone took: it opened there and must go with the cut.
    expect((await txnProduce(await initTxn(uniqueTxnId()), topic, 0, ["zombie-txn"])).status).toBe(200);
    await until(
      "a follower elected",
      () => Promise.all(REGIONS.map((r) => viewOf(topic, r))),
      (vs) => vs.every((v) => v.epoch === 1),
    );
    const leader = (await viewOf(topic, "weur")).leader;

    // Back, the old leader learns of epoch 1 (its shipments are fenced) and the write moves over.
    await net(topic, (n) => n.isolated.clear());
    for (let n = 5; n < 10; n++) await sendUntilAcked(topic, producer, n);
    const home = await copyOf(topic, "home");
    await until(
      "the home copy follows",
      () => viewOf(topic, "home"),
      (v) => v.epoch === 1 && v.leader === leader,
    );
    const leaderRows = await until(
      "the home copy truncated and caught up",
      async () => [await rows(await copyOf(topic, leader)), await rows(home)],
      ([a, b]) => JSON.stringify(a) === JSON.stringify(b),
    );
    expect(leaderRows[0]!.length).toBeGreaterThan(0);
    const records = (await allValues(topic)).map((r) => r.value);
    expect(records).toEqual([0, 1, 2, 3, 4, "aborted", 5, 6, 7, 8, 9]);
    expect(records).not.toContain("zombie-1");
    // The transaction books went back with the log: the zombie's open transaction is gone, the
    // abort kept, and the home copy's LSO is the leader's.
    const books = async (copy: Stub) =>
      runInDurableObject(copy, (_o, state) => ({
        open: state.storage.sql.exec(`SELECT producer_id, first_offset FROM txn_open`).toArray(),
        aborted: state.storage.sql.exec(`SELECT * FROM txn_aborted`).toArray(),
      }));
    const homeBooks = await books(home);
    expect(homeBooks).toEqual(await books(await copyOf(topic, leader)));
    expect(homeBooks.open).toEqual([]);
    expect(homeBooks.aborted).toHaveLength(1);
    expect(await values(topic, 0)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);

    // A writer still holding epoch 0 is refused by the deposed copy, nothing written.
    const ref = { ...(await call("GET", `/v1/topics/${topic}`)).body, partition: 0, leaderEpoch: 0 };
    const refused = await home.append(
      { id: ref.id, name: topic, partition: 0, version: ref.version, config: ref.config, leaderEpoch: 0 },
      new Uint8Array(0),
    );
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(["NOT_LEADER_OR_FOLLOWER", "FENCED_LEADER_EPOCH"]).toContain(refused.error.code);
  });

  it("a preferred-leader election moves leadership back home once the home copy is in sync", async () => {
    const topic = await geoTopic();
    const producer = await newProducer();
    for (let n = 0; n < 3; n++) await sendUntilAcked(topic, producer, n);
    await net(topic, (n, ids) => n.down.add(ids.home!));
    for (let n = 3; n < 6; n++) await sendUntilAcked(topic, producer, n);
    await net(topic, (n) => n.down.clear());
    await until(
      "the home copy back in sync",
      async () => (await call("GET", `/v1/topics/${topic}`)).body.partitions[0],
      (d) => d.replicas?.some((r: { region: string; in_sync: boolean }) => r.region === "home" && r.in_sync),
    );

    const r = await call("POST", `/v1/topics/${topic}/elect-leaders`, { election_type: "preferred" });
    expect(r.status).toBe(200);
    expect(r.body.partitions).toEqual([{ partition: 0, leader: "home", leader_epoch: 2 }]);
    for (let n = 6; n < 9; n++) await sendUntilAcked(topic, producer, n);
    const d = (await call("GET", `/v1/topics/${topic}`)).body.partitions[0];
    expect(d).toMatchObject({ leader: "home", leader_epoch: 2, high_watermark: 9 });
    expect((await allValues(topic)).map((x) => x.value)).toEqual(Array.from({ length: 9 }, (_, i) => i));
    // Already home: nothing to do, same epoch.
    const again = await call("POST", `/v1/topics/${topic}/elect-leaders`, {});
    expect(again.body.partitions).toEqual([{ partition: 0, leader: "home", leader_epoch: 2 }]);
  });

  it("transactions move with leadership: the new leader's LSO, read_committed and the coordinator's commit are as before", async () => {
    const topic = await geoTopic();
    const t = await initTxn(uniqueTxnId());
    expect((await txnProduce(t, topic, 0, ["a1", "a2"])).status).toBe(200);
    await endAndSettle(t, topic, "abort");
    const producer = await newProducer();
    await sendUntilAcked(topic, producer, 0, "p1");
    expect((await txnProduce(t, topic, 0, ["o1"])).status).toBe(200); // offset 4: open
    await sendUntilAcked(topic, producer, 1, "p2");
    const state = async () => {
      const r = await call("GET", `/v1/topics/${topic}/partitions/0/records?offset=0&isolation=read_committed`);
      const txns = await call("GET", `/v1/topics/${topic}/partitions/0/transactions`);
      return {
        lso: r.body.last_stable_offset,
        hw: r.body.high_watermark,
        committed: await values(topic, 0),
        uncommitted: await values(topic, 0, "read_uncommitted"),
        open: txns.body.transactions.map((x: { first_offset: number; last_offset: number }) => [
          x.first_offset,
          x.last_offset,
        ]),
      };
    };
    const before = await state();
    expect(before).toEqual({
      lso: 4,
      hw: 6,
      committed: ["p1"],
      uncommitted: ["a1", "a2", "p1", "o1", "p2"],
      open: [[4, 4]],
    });

    await net(topic, (n, ids) => n.down.add(ids.home!));
    await until(
      "a follower elected",
      () => Promise.all(REGIONS.map((r) => viewOf(topic, r))),
      (vs) => vs.every((v) => v.epoch === 1),
    );
    expect(await state()).toEqual(before);

    // The coordinator's markers find the new leader (the home copy does not answer).
    await endAndSettle(t, topic, "commit");
    expect(await values(topic, 0)).toEqual(["p1", "o1", "p2"]);
    const after = await state();
    expect(after).toMatchObject({ lso: 7, hw: 7, open: [] });
    // The next transaction goes on under the new leader.
    expect((await txnProduce(t, topic, 0, ["n1"])).status).toBe(200);
    await endAndSettle(t, topic, "abort");
    expect(await values(topic, 0)).toEqual(["p1", "o1", "p2"]);
  });

  it("archived ranges stay readable after a failover: the new leader reads the old leader's R2 segments", async () => {
    const topic = await geoTopic({ "segment.bytes": 1024, "retention.ms": -1 });
    const pad = "x".repeat(80);
    const N = 30;
    const producer = await newProducer();
    for (let i = 0; i < N; i++) await sendUntilAcked(topic, producer, i, `r${i}-${pad}`);
    await settle(await copyOf(topic, "home"));
    /** Where a copy's rows in SQLite begin, and the archived segments it knows. */
    const tiers = async (name: string) =>
      runInDurableObject(await copyOf(topic, name), (_o, state) => ({
        hotStart: state.storage.sql.exec<{ b: number }>(`SELECT MIN(base_offset) AS b FROM batches`).one().b,
        segments: state.storage.sql
          .exec<{ k: string }>(`SELECT r2_key AS k FROM segments WHERE state = 'archived' ORDER BY base_offset`)
          .toArray()
          .map((r) => r.k),
      }));
    const home = await tiers("home");
    expect(home.segments.length).toBeGreaterThan(1);
    expect(home.hotStart).toBeGreaterThan(0);
    // The followers were shipped the segments (the objects stay the leader's) and dropped those rows.
    for (const region of REGIONS) {
      await until(
        `${region} knows the archived segments`,
        () => tiers(region),
        (t) => JSON.stringify(t) === JSON.stringify(home),
      );
    }

    await net(topic, (n, ids) => n.down.add(ids.home!));
    await until(
      "a follower elected",
      () => Promise.all(REGIONS.map((r) => viewOf(topic, r))),
      (vs) => vs.every((v) => v.epoch === 1),
    );
    const d = (await call("GET", `/v1/topics/${topic}`)).body.partitions[0];
    expect(d).toMatchObject({ leader_epoch: 1, log_start_offset: 0, high_watermark: N });
    // Offset 0 is in R2 alone, in an object the lost leader wrote: read through the new leader.
    const first = await call("GET", `/v1/topics/${topic}/partitions/0/records?offset=0&max_records=1&replica=leader`);
    expect(first.status).toBe(200);
    expect(first.body.records.map((r: { value: unknown }) => r.value)).toEqual([`r0-${pad}`]);
    expect((await allValues(topic)).map((r) => r.value)).toEqual(Array.from({ length: N }, (_, i) => `r${i}-${pad}`));
  });

  it("an idle topic's followers back off their health checks; a shipment, or a client finding the leader silent, brings them back", async () => {
    const topic = await geoTopic();
    const producer = await newProducer();
    await sendUntilAcked(topic, producer, 0);
    const weur = await copyOf(topic, "weur");
    const alarmAt = () => runInDurableObject(weur, async (_o, state) => (await state.storage.getAlarm()) ?? Infinity);
    const backedOff = () =>
      until("weur's health checks backed off", alarmAt, (at) => at !== Infinity && at - Date.now() > 2 * LAG_MS);
    // Idle: each check that finds the leader well, with nothing shipped, waits twice as long.
    let before = await backedOff();
    await sendUntilAcked(topic, producer, 1);
    // A shipment: checks at the full pace again (the alarm moves earlier, within one period).
    await until("the shipment pulls the check in", alarmAt, (at) => at < before && at <= Date.now() + LAG_MS);

    before = await backedOff();
    await net(topic, (n, ids) => n.down.add(ids.home!));
    // A plain write (not safe to resend) is refused at once, once the router found the
    // leader silent and told the followers: weur checks within one period, not at its backed-off time
    // (or already did, and an election began).
    const refused = await call("POST", `/v1/topics/${topic}/records`, { acks: 1, records: [{ value: "x" }] });
    // Retriable, outcome unknown, as Kafka answers a write whose leader went quiet (not a 500).
    expect(refused.status).toBe(503);
    expect(refused.body.error).toMatchObject({ code: "REQUEST_TIMED_OUT", retriable: true });
    const [at, view] = [await alarmAt(), await viewOf(topic, "weur")];
    if (view.epoch === 0) {
      expect(at).toBeLessThan(before);
      expect(at).toBeLessThanOrEqual(Date.now() + LAG_MS);
    } else expect(Date.now()).toBeLessThan(before);
    await sendUntilAcked(topic, producer, 2);
    expect((await viewOf(topic, "weur")).epoch).toBe(1);
  });

  it("refuses to elect an out-of-sync region without an unclean election (409), and a topic without replicas (400)", async () => {
    const topic = await geoTopic();
    const producer = await newProducer();
    await sendUntilAcked(topic, producer, 0);
    await net(topic, (n, ids) => n.cut.add([ids.home!, ids.apac!].sort().join("|")));
    await call("POST", `/v1/topics/${topic}/records`, { acks: 1, records: [{ value: "x" }] });
    await until(
      "apac out of sync",
      async () => (await call("GET", `/v1/topics/${topic}`)).body.partitions[0],
      (d) => d.isr?.length === 2 && !d.isr.includes("apac"),
    );
    // One cut link is no failover: the home copy still leads.
    expect(await viewOf(topic, "weur")).toEqual({ leader: "home", epoch: 0 });
    const r = await call("POST", `/v1/topics/${topic}/elect-leaders`, { election_type: "clean", region: "apac" });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe("ELIGIBLE_LEADERS_NOT_AVAILABLE");
    expect(r.body.error.message).toContain("apac is not in the in-sync set");
    const unclean = await call("POST", `/v1/topics/${topic}/elect-leaders`, {
      election_type: "unclean",
      region: "apac",
    });
    expect(unclean.status).toBe(409);
    expect(unclean.body.error.message).toContain("unclean.leader.election.enable");

    const plain = uniqueTopic("fo");
    await createTopic(plain);
    const none = await call("POST", `/v1/topics/${plain}/elect-leaders`, {});
    expect(none.status).toBe(400);
    expect(none.body.error.code).toBe("INVALID_REQUEST");
    const nowhere = await call("POST", `/v1/topics/${topic}/elect-leaders`, { election_type: "clean", region: "oc" });
    expect(nowhere.status).toBe(400);
  });
});
