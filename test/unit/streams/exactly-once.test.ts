// exactly_once's output session through the real SDK producer against a fake server that keeps
// Kafka's transaction rules (an epoch per transactional id, fencing on init, all-or-nothing ends,
// offsets fenced by the member's epoch): what a task commits appears whole, what fails or is fenced
// never appears, and the runner turns an aborted transaction into a rewind.

import { describe, expect, it } from "vitest";
import { Edgelog, EdgelogError } from "../../../src/client/index.js";
import type { GroupMetadata } from "../../../src/host/runner.js";
import { ExactlyOnceSession, taskTransactionalId } from "../../../src/streams/runtime/exactly-once.js";
import type { OutgoingRecord } from "../../../src/streams/runtime/task.js";
import { StreamsRunner } from "../../../src/streams/runtime/runner.js";
import type { OutputSession } from "../../../src/streams/runtime/guarantee.js";
import { GlobalStores } from "../../../src/streams/runtime/globals.js";
import { StreamsBuilder } from "../../../src/streams/index.js";
import { MemoryBytesStore } from "../../../src/streams/state/memory.js";
import { Serdes } from "../../../src/streams/index.js";

interface Txn {
  records: { topic: string; partition: number; value: string }[];
  offsets: { group: string; topic: string; partition: number; offset: number }[];
}

const fail = (code: string, message: string, status = 409) => Response.json({ error: { code, message } }, { status });
const text = (b64: string) => new TextDecoder().decode(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));

/** Committed records and offsets, per transactional id an epoch and the open transaction. */
class FakeTransactions {
  readonly committed: Txn = { records: [], offsets: [] };
  readonly epochs = new Map<string, number>();
  readonly open = new Map<string, Txn>();
  /** The group's member and its epoch (what TxnOffsetCommit is fenced by). */
  member = { id: "m-1", epoch: 3 };
  /** The next produce to this topic fails (a write that dooms its transaction). */
  failNextWriteTo?: string;
  readonly calls: string[] = [];

  fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input));
    const path = decodeURIComponent(url.pathname);
    const body = init?.body ? JSON.parse(String(init.body)) : undefined;
    const method = init?.method ?? "GET";
    this.calls.push(`${method} ${path}`);
    if (method === "GET" && /^\/v1\/topics\/[^/]+$/.test(path))
      return Response.json({ name: path.slice(11), partition_count: 2, partitions: [] });
    const produce = /^\/v1\/topics\/([^/]+)\/partitions\/(\d+)\/records$/.exec(path);
    if (produce) {
      const [, topic, p] = produce;
      const tid = body.producer.transactional_id as string;
      if (body.producer.epoch !== this.epochs.get(tid)) return fail("PRODUCER_FENCED", `${tid} was taken over`);
      if (this.failNextWriteTo === topic) {
        this.failNextWriteTo = undefined;
        return fail("RECORD_LIST_TOO_LARGE", "a write that fails", 400);
      }
      const txn = this.#txn(tid);
      const at = txn.records.length;
      for (const r of body.records) txn.records.push({ topic: topic!, partition: Number(p), value: text(r.value) });
      return Response.json({
        records: body.records.map((_: unknown, i: number) => ({ partition: Number(p), offset: at + i, timestamp: 1 })),
      });
    }
    const m = /^\/v1\/transactions\/([^/]+)\/(init|offsets|commit|abort)$/.exec(path);
    if (!m) return fail("ROUTE_NOT_FOUND", path, 404);
    const [, tid, op] = m as unknown as [string, string, string];
    const reply = (result?: string) =>
      Response.json({
        transactional_id: tid,
        producer: { id: `p-${tid}`, epoch: this.epochs.get(tid) },
        version: 2,
        transaction_timeout_ms: 30_000,
        ...(result ? { result, complete: true } : {}),
      });
    if (op === "init") {
      this.open.delete(tid); // the older holder's open transaction aborts
      this.epochs.set(tid, (this.epochs.get(tid) ?? -1) + 1);
      return reply();
    }
    if (body.producer.epoch !== this.epochs.get(tid)) return fail("PRODUCER_FENCED", `${tid} was taken over`);
    if (op === "offsets") {
      if (body.member_id !== this.member.id || body.member_epoch !== this.member.epoch)
        return fail("STALE_MEMBER_EPOCH", `member epoch is ${this.member.epoch}`);
      for (const o of body.offsets) this.#txn(tid).offsets.push({ group: body.group_id, ...o });
      return Response.json({});
    }
    const txn = this.open.get(tid);
    this.open.delete(tid);
    if (op === "commit" && txn) {
      this.committed.records.push(...txn.records);
      this.committed.offsets.push(...txn.offsets);
    }
    this.epochs.set(tid, this.epochs.get(tid)! + 1); // version 2: an epoch per transaction
    return reply(op === "commit" ? "committed" : "aborted");
  }) as typeof fetch;

  #txn(tid: string): Txn {
    return this.open.get(tid) ?? this.open.set(tid, { records: [], offsets: [] }).get(tid)!;
  }
}

const record = (topic: string, value: string, partition = 0): OutgoingRecord => ({
  topic,
  partition,
  key: null,
  value: new TextEncoder().encode(value),
  timestamp: 1,
  headers: {},
});

function setup() {
  const server = new FakeTransactions();
  const client = new Edgelog({ url: "http://fake", fetch: server.fetch });
  const session = () => new ExactlyOnceSession(client, "app");
  const group = (): GroupMetadata => ({ groupId: "app", memberId: server.member.id, memberEpoch: server.member.epoch });
  const noPlainCommit = async (offsets: unknown[]) => {
    if (offsets.length > 0) throw new Error("exactly_once committed offsets outside a transaction");
  };
  return { server, session, group, noPlainCommit };
}

const values = (t: Txn) => t.records.map((r) => `${r.topic}:${r.value}`).sort();

describe("ExactlyOnceSession", () => {
  it("commits each task's outputs, changelog writes and input offsets in one transaction of its own id", async () => {
    const { server, session, group, noPlainCommit } = setup();
    const s = session();
    await s.claim(["0_0", "0_1"]);
    s.send("0_0", record("out", "a"));
    s.send("0_0", record("app-counts-changelog", "a=1"));
    s.send("0_1", record("out", "b", 1));
    await s.pump();
    expect(server.committed.records).toEqual([]); // nothing visible before the commit
    await s.commit(
      [
        { topic: "in", partition: 0, offset: 5, taskId: "0_0" },
        { topic: "in", partition: 1, offset: 9, taskId: "0_1" },
      ],
      noPlainCommit,
      group(),
    );
    expect(values(server.committed)).toEqual(["app-counts-changelog:a=1", "out:a", "out:b"]);
    expect(
      server.committed.offsets.map(({ group, topic, partition, offset }) => [group, topic, partition, offset]),
    ).toEqual(
      expect.arrayContaining([
        ["app", "in", 0, 5],
        ["app", "in", 1, 9],
      ]),
    );
    expect(server.open.size).toBe(0);
    // Each task wrote under its own transactional id, <applicationId>-<taskId>.
    expect(taskTransactionalId("app", "0_1")).toBe("app-0_1");
    expect([...server.epochs.keys()].sort()).toEqual(["app-0_0", "app-0_1"]);
  });

  it("a failed write aborts its task's transaction whole, outputs and offsets, and the commit says so", async () => {
    const { server, session, group, noPlainCommit } = setup();
    const s = session();
    await s.claim(["0_0", "0_1"]);
    s.send("0_0", record("out", "kept"));
    s.send("0_1", record("out", "lost-1", 1));
    s.send("0_1", record("bad", "lost-2", 1));
    server.failNextWriteTo = "bad";
    await s.pump();
    const offsets = [
      { topic: "in", partition: 0, offset: 3, taskId: "0_0" },
      { topic: "in", partition: 1, offset: 4, taskId: "0_1" },
    ];
    await expect(s.commit(offsets, noPlainCommit, group())).rejects.toMatchObject({ code: "RECORD_LIST_TOO_LARGE" });
    expect(values(server.committed)).toEqual(["out:kept"]);
    expect(server.committed.offsets.map((o) => o.partition)).toEqual([0]);
    expect(server.open.size).toBe(0); // aborted, not left hanging
    // The task goes on after it is claimed again (the runner rewinds it to its committed offset).
    await s.claim(["0_1"]);
    s.send("0_1", record("out", "again", 1));
    await s.commit([{ topic: "in", partition: 1, offset: 4, taskId: "0_1" }], noPlainCommit, group());
    expect(values(server.committed)).toEqual(["out:again", "out:kept"]);
  });

  it("a task claimed by another instance fences the zombie: its open transaction is aborted and its commit fails", async () => {
    const { server, session, group, noPlainCommit } = setup();
    const zombie = session();
    await zombie.claim(["0_0"]);
    zombie.send("0_0", record("out", "zombie"));
    await zombie.pump();
    const successor = session();
    await successor.claim(["0_0"]);
    expect(server.open.size).toBe(0); // the zombie's transaction aborted on the successor's init
    await expect(
      zombie.commit([{ topic: "in", partition: 0, offset: 1, taskId: "0_0" }], noPlainCommit, group()),
    ).rejects.toMatchObject({ code: "PRODUCER_FENCED" });
    successor.send("0_0", record("out", "successor"));
    await successor.commit([{ topic: "in", partition: 0, offset: 1, taskId: "0_0" }], noPlainCommit, group());
    expect(values(server.committed)).toEqual(["out:successor"]);
    expect(server.committed.offsets).toHaveLength(1);
  });

  it("offsets are fenced by the member's epoch (KIP-447): a stale member's transaction aborts", async () => {
    const { server, session, group, noPlainCommit } = setup();
    const s = session();
    await s.claim(["0_0"]);
    s.send("0_0", record("out", "x"));
    const stale = group();
    server.member.epoch = 4; // the group moved on (a rebalance) since this member's last heartbeat
    await expect(
      s.commit([{ topic: "in", partition: 0, offset: 1, taskId: "0_0" }], noPlainCommit, stale),
    ).rejects.toMatchObject({ code: "STALE_MEMBER_EPOCH" });
    expect(server.committed).toEqual({ records: [], offsets: [] });
    expect(server.open.size).toBe(0);
  });

  it("abandon aborts what lost tasks left open; output with no offsets (a punctuator's) still commits", async () => {
    const { server, session, group, noPlainCommit } = setup();
    const s = session();
    await s.claim(["0_0", "0_1"]);
    s.send("0_0", record("out", "lost"));
    s.send("0_1", record("out", "punctuated", 1));
    await s.pump();
    await s.abandon(["0_0"]);
    expect(server.calls).toContain("POST /v1/transactions/app-0_0/abort");
    expect(server.open.has("app-0_0")).toBe(false);
    expect(s.hasOpenTransactions()).toBe(true); // so the member commits though no position moved
    await s.commit([], noPlainCommit, group());
    expect(values(server.committed)).toEqual(["out:punctuated"]);
    expect(s.hasOpenTransactions()).toBe(false);
  });
});

describe("StreamsRunner under exactly_once", () => {
  function runner(session: OutputSession) {
    const b = new StreamsBuilder();
    b.stream("in", { valueSerde: Serdes.Text() }).to("out");
    const topology = b.build();
    const client = new Edgelog({ url: "http://unused" });
    const defaults = { key: Serdes.String(), value: Serdes.JSON() };
    return new StreamsRunner({
      applicationId: "app",
      topology,
      partitions: new Map([
        ["in", 1],
        ["out", 1],
      ]),
      defaults,
      deserializationExceptionHandler: "logAndFail",
      logger: { warn: () => {}, error: () => {} },
      now: Date.now,
      session,
      http: client.http,
      backend: { open: () => new MemoryBytesStore() },
      globals: new GlobalStores(topology, client.http, () => new MemoryBytesStore(), defaults),
    });
  }
  const failing = (code: string): OutputSession => ({
    isolationLevel: "read_committed",
    send: () => {},
    pump: async () => {},
    commit: async () => {
      throw new EdgelogError(code as never, "the transaction failed");
    },
    abandon: async () => {},
    close: async () => {},
  });
  const group = { groupId: "app", memberId: "m", memberEpoch: 1 };

  it("an aborted transaction rewinds the member (tasks restored, offsets re-read); a fenced member rejoins instead", async () => {
    for (const code of ["PRODUCER_FENCED", "TRANSACTION_ABORTABLE", "STALE_MEMBER_EPOCH", "INVALID_TXN_STATE"]) {
      expect(
        await runner(failing(code)).commit([{ topic: "in", partition: 0, offset: 1 }], async () => {}, group),
      ).toBe("rewind");
    }
    await expect(
      runner(failing("UNKNOWN_MEMBER_ID")).commit([{ topic: "in", partition: 0, offset: 1 }], async () => {}, group),
    ).rejects.toMatchObject({ code: "UNKNOWN_MEMBER_ID" });
  });
});
