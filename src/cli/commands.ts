// The CLI's commands: each turns a parsed Command into SDK calls and lines on stdout.

import { computeStats, parseExposition, renderStats } from "./stats.js";
import { Edgelog, EdgelogError, type ConsumedMessage, type FetchedRecord } from "../client/index.js";
import { Transport } from "../client/transport.js";
import type { Command, Invocation } from "./command.js";
import { runConnectorCommand } from "./connectors.js";
import type { Io } from "./io.js";
import { Progress } from "./progress.js";

export async function runCommand(inv: Invocation, io: Io): Promise<void> {
  // A shell user waits seconds, not the SDK's 30 s, to hear that the server is down.
  const client = new Edgelog({ url: inv.url, token: inv.token, retry: { maxElapsedMs: 3_000 } });
  const admin = client.admin();
  const cmd = inv.command;
  const json = (v: unknown) => io.out(`${JSON.stringify(v, null, 2)}\n`);
  switch (cmd.kind) {
    case "help":
      return io.out(`${cmd.text}\n`);
    case "version":
      return io.out("edgelog 0.1.0\n");
    case "topics.create":
      return json(await admin.createTopic(cmd.name, { partitions: cmd.partitions, config: cmd.config }));
    case "topics.list": {
      const topics = await admin.listTopics();
      for (const t of topics) await io.out(`${t.name}\t${t.partitions}\n`);
      return;
    }
    case "topics.describe":
      return json(await admin.describeTopic(cmd.name));
    case "topics.alter":
      return json(
        await admin.alterTopic(cmd.name, {
          ...(cmd.partitions !== undefined ? { partitions: cmd.partitions } : {}),
          ...(Object.keys(cmd.config).length > 0 ? { config: cmd.config } : {}),
        }),
      );
    case "topics.delete":
      await admin.deleteTopic(cmd.name);
      return;
    case "produce":
      return produce(client, cmd, io);
    case "consume":
      return consume(client, cmd, io);
    case "groups.list": {
      for (const g of await admin.listGroups()) {
        await io.out(`${g.group_id}\t${g.state}\t${g.members}\n`);
      }
      return;
    }
    case "groups.describe":
      return json(await admin.describeGroup(cmd.group));
    case "groups.reset-offsets":
      for (const o of await admin.resetOffsets(cmd.group, cmd.to, cmd.topics))
        await io.out(`${o.topic}\t${o.partition}\t${o.offset}\n`);
      return;
    case "groups.delete":
      await admin.deleteGroup(cmd.group);
      return;
    case "tail":
      return tail(client, cmd, io);
    case "transactions.list":
      for (const t of await admin.listTransactions({ states: cmd.states, producerId: cmd.producerId }))
        await io.out(`${t.transactional_id}\t${t.state}\t${t.producer_id}\n`);
      return;
    case "transactions.describe":
      return json(await admin.describeTransaction(cmd.id));
    case "transactions.describe-producers":
      return json(await admin.partitionTransactions(cmd.topic, cmd.partition));
    case "transactions.find-hanging": {
      const d = await admin.describeTopic(cmd.topic);
      const partitions = cmd.partition === undefined ? d.partitions.map((p) => p.partition) : [cmd.partition];
      for (const p of partitions) {
        for (const t of (await admin.partitionTransactions(cmd.topic, p)).transactions) {
          if (t.hanging) await io.out(`${cmd.topic}\t${p}\t${t.producer_id}\t${t.first_offset}\t${t.open_ms}\n`);
        }
      }
      return;
    }
    case "transactions.abort":
      return json(await admin.abortTransaction(cmd.topic, cmd.partition, cmd.which));
    case "stats":
      return stats(client, cmd, io);
    default:
      return runConnectorCommand(
        cmd,
        new Transport({ url: inv.url, token: inv.token, retry: { maxElapsedMs: 3_000 } }),
        io,
      );
  }
}

/** Scrapes twice per refresh window and shows rates; on a terminal, redraws in place like top. */
async function stats(client: Edgelog, cmd: Extract<Command, { kind: "stats" }>, io: Io): Promise<void> {
  const admin = client.admin();
  let before = parseExposition(await admin.metrics());
  let at = Date.now();
  for (;;) {
    await sleep(cmd.intervalMs, io.signal);
    if (io.signal.aborted) return;
    const after = parseExposition(await admin.metrics());
    const now = Date.now();
    const seconds = (now - at) / 1000;
    const table = renderStats(computeStats(before, after, seconds, cmd.top), new Date(now), seconds);
    // Clear and home the cursor on a terminal; piped output gets one table after another.
    await io.out(cmd.once || !io.tty ? table : `\x1b[H\x1b[2J${table}`);
    if (cmd.once) return;
    before = after;
    at = now;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });
}

async function produce(client: Edgelog, cmd: Extract<Command, { kind: "produce" }>, io: Io): Promise<void> {
  // Fail on a missing topic before reading stdin, not after the first batch.
  await client.admin().describeTopic(cmd.topic);
  const producer = client.producer({
    lingerMs: cmd.lingerMs,
    idempotent: cmd.idempotent,
    format: cmd.format,
    batchBytes: 512 * 1024,
    acks: cmd.acks,
  });
  const progress = new Progress(io, "produced");
  let failure: unknown;
  const pending = new Set<Promise<unknown>>();
  let line = 0;
  const send = (text: string) => {
    line++;
    const at = line;
    let key: string | undefined;
    let value = text;
    if (cmd.keySep !== undefined) {
      const i = text.indexOf(cmd.keySep);
      if (i >= 0) {
        key = text.slice(0, i);
        value = text.slice(i + cmd.keySep.length);
      }
    }
    let parsed: unknown = value;
    if (cmd.format === "json") {
      try {
        parsed = JSON.parse(value);
      } catch {
        throw new EdgelogError("INVALID_RECORD", `line ${at} is not JSON (use --format string for plain text)`);
      }
    } else if (cmd.format === "binary") {
      parsed = base64Bytes(value, at);
    }
    return producer.send(cmd.topic, {
      key,
      value: parsed,
      ...(cmd.partition !== undefined ? { partition: cmd.partition } : {}),
    });
  };
  const track = (p: Promise<unknown>, n: number) => {
    pending.add(p);
    p.then(
      () => progress.add(n),
      (e) => (failure ??= e),
    ).finally(() => pending.delete(p));
  };
  let buf = "";
  const decoder = new TextDecoder();
  for await (const chunk of io.stdin) {
    if (failure || io.signal.aborted) break;
    buf += typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
    const lines = buf.split("\n");
    buf = lines.pop()!;
    for (const l of lines) track(send(l), 1);
    // The producer's buffer bound applies back-pressure through these sends.
    if (pending.size > 64) await Promise.race(pending);
  }
  buf += decoder.decode();
  if (buf.length > 0 && !failure) track(send(buf), 1);
  await producer.close();
  await Promise.allSettled([...pending]);
  progress.done();
  if (failure) throw failure;
}

function base64Bytes(text: string, line: number): Uint8Array {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text))
    throw new EdgelogError("INVALID_RECORD", `line ${line} is not base64 (--format binary)`);
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

function render(r: FetchedRecord, keySep: string | undefined, format: string): string {
  let value: string;
  if (r.value_b64 !== undefined) value = r.value_b64;
  else if (r.value === null || r.value === undefined) value = "";
  else if (format === "json") value = JSON.stringify(r.value);
  else value = String(r.value);
  if (keySep === undefined) return value;
  return `${r.key ?? r.key_b64 ?? ""}${keySep}${value}`;
}

async function consume(client: Edgelog, cmd: Extract<Command, { kind: "consume" }>, io: Io): Promise<void> {
  const admin = client.admin();
  const topic = await admin.describeTopic(cmd.topic);
  // Without --follow the run ends at the high watermarks seen now (read_committed, the default: the
  // last stable offsets, as it reads no further).
  const committedOnly = (cmd.isolation ?? "read_committed") === "read_committed";
  const ends = new Map(
    topic.partitions.map((p) => [p.partition, committedOnly ? p.last_stable_offset : p.high_watermark]),
  );
  const consumer = client.consumer({
    groupId: cmd.group,
    ...(cmd.isolation ? { isolationLevel: cmd.isolation } : {}),
    fromBeginning: cmd.fromBeginning,
    format: cmd.format,
    maxWaitMs: cmd.follow ? 5_000 : 500,
    autoCommitIntervalMs: 1_000,
    ...(cmd.replica ? { replica: cmd.replica } : {}),
    ...(cmd.decode ? { decode: cmd.decode } : {}),
  });
  if (cmd.partition !== undefined) {
    if (!ends.has(cmd.partition)) {
      throw new EdgelogError(
        "UNKNOWN_TOPIC_OR_PARTITION",
        `topic ${cmd.topic} has partitions 0..${topic.partition_count - 1}; there is no partition ${cmd.partition}`,
      );
    }
    consumer.assign([{ topic: cmd.topic, partition: cmd.partition, offset: cmd.offset }]);
  } else {
    consumer.subscribe(cmd.topic);
  }
  const progress = new Progress(io, "consumed");
  let count = 0;
  let finish: () => void = () => {};
  const finished = new Promise<void>((r) => (finish = r));
  const atEnd = () => {
    if (cmd.maxMessages !== undefined && count >= cmd.maxMessages) return true;
    if (cmd.follow) return false;
    const held = consumer.positions();
    if (cmd.group && held.length === 0) return false;
    return held.every((p) => p.offset >= (ends.get(p.partition) ?? 0));
  };
  io.signal.addEventListener("abort", () => finish(), { once: true });
  await consumer.run({
    eachBatch: async ({ messages }) => {
      let text = "";
      for (const m of messages as ConsumedMessage[]) {
        if (cmd.maxMessages !== undefined && count >= cmd.maxMessages) break;
        text += `${render(m, cmd.keySep, cmd.format)}\n`;
        count++;
      }
      await io.out(text);
      progress.add(messages.length);
    },
  });
  // Positions move after each batch's handler returns; judge the end from outside the loop.
  const check = setInterval(() => (atEnd() ? finish() : undefined), 50);
  const failed = consumer.done().catch((e) => e);
  const outcome = await Promise.race([finished.then(() => undefined), failed]);
  clearInterval(check);
  await consumer.stop();
  progress.done();
  if (outcome) throw outcome;
}

async function tail(client: Edgelog, cmd: Extract<Command, { kind: "tail" }>, io: Io): Promise<void> {
  await client.admin().describeTopic(cmd.topic);
  const frames = client.tail(cmd.topic, cmd.partition ?? 0, {
    offset: cmd.fromBeginning ? "earliest" : "latest",
    format: cmd.format,
    decode: cmd.decode,
    isolationLevel: cmd.isolation,
    signal: io.signal,
  });
  for await (const frame of frames) {
    await io.out(frame.records.map((r) => `${render(r, cmd.keySep, cmd.format)}\n`).join(""));
  }
}
