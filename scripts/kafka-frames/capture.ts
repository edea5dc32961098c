// Records the Kafka frames real clients send through the gateway (and the gateway's answers) into
// test/unit/fixtures/kafka-frames/, one file per API: a fresh edgelog (wrangler dev), the gateway,
// a recording proxy, then kafkajs, @platformatic/kafka and librdkafka, each at its own highest
// versions, at the first flexible versions, and at the lowest ones (the proxy lowers what
// ApiVersions advertises, as an older broker would). Run by scripts/kafka-frames.mjs.

import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { startGateway } from "../../src/gateway/main.js";
import { API, BY_KEY, KNOWN } from "../../src/gateway/wire/messages.js";
import * as platformatic from "@platformatic/kafka";
import { kafkajsFlow, platformaticFlow, type Names, type Step } from "./node-clients.js";
import { encoderRequests, send } from "./encoders.js";
import { dump, startRecordingProxy, type Exchange, type VersionCap } from "./proxy.js";

const ROOT = resolve(import.meta.dirname, "../..");
const OUT = join(ROOT, "test/unit/fixtures/kafka-frames");
const PYTHON = "/usr/bin/python3";
/** While investigating: run one client (ONLY=kafkajs), one cap (CAP=min), print decoded frames (DUMP=<api key or call>). */
const { ONLY, CAP, DUMP } = process.env;

/** A captured frame pair, as stored: who sent it, doing what, and both frames in hex. */
export interface StoredFrame {
  version: number;
  /** "client": sent by a client library doing its job; "encoder": written by a library's request encoder alone. */
  kind: "client" | "encoder";
  source: string;
  call: string;
  request: string;
  response: string | null;
}

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once("error", rej);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => res(port));
    });
  });
}

async function startEdgelog(): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const state = mkdtempSync(join(tmpdir(), "edgelog-frames-"));
  const child: ChildProcess = spawn(
    join(ROOT, "node_modules/.bin/wrangler"),
    ["dev", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(await freePort())]
      .concat(["--persist-to", state, "--show-interactive-dev-session=false", "--log-level", "warn"])
      .concat(["--var", "EDGELOG_AUTH:off", "--var", "EDGELOG_GROUP_MIN_SESSION_TIMEOUT_MS:1000"]),
    {
      cwd: ROOT,
      detached: true,
      stdio: "ignore",
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", CI: "true" },
    },
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error("edgelog did not start");
    await new Promise((r) => setTimeout(r, 250));
  }
  const exited = new Promise<void>((res) => child.once("exit", () => res()));
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      /* gone */
    }
  };
  return {
    url,
    async stop() {
      signal("SIGTERM");
      const timer = setTimeout(() => signal("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
      rmSync(state, { recursive: true, force: true });
    },
  };
}

/** The version caps each client runs under: none, each API's first flexible version, each API's lowest. */
const CAPS: Record<string, { cap: VersionCap; note: string }> = {
  max: { cap: () => undefined, note: "the gateway's versions advertised" },
  flexible: {
    cap: (key) => {
      const f = BY_KEY.get(key)?.request.flexibleFrom;
      return f !== undefined && Number.isFinite(f) ? f : undefined;
    },
    note: "each API advertised up to its first flexible version",
  },
  min: { cap: (_key, min) => min, note: "each API advertised at its lowest version only" },
  // Clients need Metadata v1 (the controller id) for admin calls and RecordBatch (Produce v3) to
  // have records to consume, and kafkajs OffsetFetch v1: the others at their lowest, these three at the lowest that works.
  usable: {
    cap: (key, min) => (key === API.Metadata || key === API.OffsetFetch ? 1 : key === API.Produce ? 3 : min),
    note: "each API advertised at its lowest version (Metadata and OffsetFetch at v1, Produce at v3)",
  },
};

/**
 * @platformatic/kafka implements each API at a few high versions only and gives up on an API whose
 * advertised range holds none of them: under a cap it still gets its own lowest.
 */
function platformaticFloor(cap: VersionCap): VersionCap {
  return (key, min, max) => {
    const c = cap(key, min, max);
    const name = BY_KEY.get(key)?.name ?? KNOWN.get(key)?.name;
    if (c === undefined || !name) return c;
    const prefix = name[0]!.toLowerCase() + name.slice(1) + "V";
    const own = Object.keys(platformatic)
      .filter((k) => k.startsWith(prefix) && /^\d+$/.test(k.slice(prefix.length)))
      .map((k) => Number(k.slice(prefix.length)));
    return own.length === 0 ? c : Math.max(c, Math.min(...own));
  };
}

function packageVersion(name: string): string {
  return JSON.parse(readFileSync(join(ROOT, "node_modules", name, "package.json"), "utf8")).version;
}

interface Labelled extends Exchange {
  kind: "client" | "encoder";
  source: string;
  call: string;
}

async function main(): Promise<void> {
  const edgelog = await startEdgelog();
  // The gateway advertises the proxy, so every connection a client opens is recorded.
  const target = { host: "127.0.0.1", port: 0 };
  const proxy = await startRecordingProxy(target);
  const broker = `127.0.0.1:${proxy.port}`;
  const gateway = await startGateway({
    listen: "127.0.0.1:0",
    advertise: broker,
    upstream: edgelog.url,
    log: () => {},
  });
  target.port = gateway.port;
  const captured: Labelled[] = [];
  const rd = await new Promise<string>((res) => {
    const p = spawn(PYTHON, ["-c", "import confluent_kafka as c; print(c.libversion()[0], c.version()[0])"]);
    let out = "";
    p.stdout.on("data", (d) => (out += d));
    p.on("close", () => res(out.trim()));
  });
  const [librdkafka, binding] = rd.split(" ");
  const clients: Record<string, (cap: string, n: Names) => Promise<void>> = {
    [`kafkajs ${packageVersion("kafkajs")}`]: (cap, n) => kafkajsFlow(broker, n, stepper(`kafkajs ${cap}`)),
    [`@platformatic/kafka ${packageVersion("@platformatic/kafka")}`]: (cap, n) =>
      platformaticFlow(broker, n, stepper(`platformatic ${cap}`)),
    [`librdkafka ${librdkafka} (python3-confluent-kafka ${binding})`]: (cap, n) => librdkafkaFlow(broker, n, cap),
  };
  let source = "";
  let kind: Labelled["kind"] = "client";
  const label = (call: string) => {
    for (const ex of proxy.take()) captured.push({ ...ex, kind, source, call });
  };
  function stepper(who: string): Step {
    return async (call, fn) => {
      label("(between calls)");
      const timeout = new Promise((_, rej) => setTimeout(() => rej(new Error("timed out")), 25_000));
      try {
        await Promise.race([fn(), timeout]);
      } catch (e) {
        const detail = (e as { errors?: unknown[] }).errors?.map((x) => (x as Error).message ?? x).join("; ");
        process.stderr.write(`${who} ${call}: ${(e as Error).message}${detail ? ` (${detail})` : ""}\n`);
      }
      label(call);
    };
  }
  async function librdkafkaFlow(b: string, n: Names, cap: string): Promise<void> {
    const child = spawn(PYTHON, [join(import.meta.dirname, "librdkafka.py"), b, n.topic, n.group, n.adminGroup], {
      stdio: ["pipe", "pipe", "inherit"],
    });
    // The process may die mid-step (librdkafka asserts on some brokers' answers): keep what it sent.
    child.stdin!.on("error", () => {});
    let call = "(start)";
    for await (const line of createInterface({ input: child.stdout! })) {
      label(call);
      if (line.startsWith("STEP ")) {
        call = line.slice(5);
        child.stdin!.write("\n");
      } else if (line === "DONE") break;
      else process.stderr.write(`librdkafka ${cap}: ${line}\n`);
    }
    label(call);
    child.stdin!.end();
  }

  try {
    for (const [client, run] of Object.entries(clients).filter(([c]) => !ONLY || c.includes(ONLY))) {
      for (const [cap, { cap: fn, note }] of Object.entries(CAPS).filter(([c]) => !CAP || c === CAP)) {
        proxy.cap = client.startsWith("@platformatic") ? platformaticFloor(fn) : fn;
        source = `${client}, ${note}`;
        const short = client.split(/[ /@]/).filter(Boolean)[0]!.replace("platformatic", "pl");
        process.stderr.write(`${client} (${cap})\n`);
        await run(cap, {
          topic: `frames-${short}-${cap}`,
          group: `g-${short}-${cap}`,
          adminGroup: `ga-${short}-${cap}`,
        });
        label("(after the last call)");
      }
    }
    proxy.cap = () => undefined;
    const topic = "frames-encoder";
    await fetch(`${edgelog.url}/v1/topics`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: topic, partitions: 1 }),
    });
    kind = "encoder";
    for (const req of await encoderRequests(
      { topic, group: "g-pl-max-consumer" },
      { kafkajs: packageVersion("kafkajs"), platformatic: packageVersion("@platformatic/kafka") },
    )) {
      source = req.source;
      await send(proxy.port, req.frame);
      label(req.call);
    }
  } finally {
    await proxy.close();
    await gateway.close();
    await edgelog.stop();
  }
  process.stderr.write(`${captured.length} exchanges\n`);
  if (DUMP) for (const ex of captured) if (String(ex.apiKey) === DUMP || ex.call.includes(DUMP)) dump(ex);
  // A partial run (one client or one cap) is for looking at frames, not for replacing the fixtures.
  if (ONLY || CAP) return;
  write(captured);
}

/** One file per API: for each version and source, the first exchange that got an answer. */
function write(captured: Labelled[]): void {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const byApi = new Map<number, Map<string, Labelled>>();
  for (const ex of captured) {
    const sourceName = ex.source.split(",")[0]!;
    const key = `${ex.version} ${sourceName}`;
    const seen = byApi.get(ex.apiKey) ?? new Map<string, Labelled>();
    byApi.set(ex.apiKey, seen);
    const prev = seen.get(key);
    if (!prev || (prev.response === null && ex.response !== null)) seen.set(key, ex);
  }
  for (const [key, frames] of [...byApi].sort(([a], [b]) => a - b)) {
    const name = BY_KEY.get(key)?.name ?? KNOWN.get(key)?.name ?? `api-${key}`;
    const stored: StoredFrame[] = [...frames.values()]
      .sort((a, b) => a.version - b.version || (a.source < b.source ? -1 : 1))
      .map((ex) => ({
        version: ex.version,
        kind: ex.kind,
        source: ex.source,
        call: ex.call,
        request: Buffer.from(ex.request).toString("hex"),
        response: ex.response && Buffer.from(ex.response).toString("hex"),
      }));
    writeFileSync(join(OUT, `${name}.json`), `${JSON.stringify({ api: name, key, frames: stored }, null, 1)}\n`);
  }
  const counts = [...byApi].map(([k, f]) => `${BY_KEY.get(k)?.name ?? k}:${[...f.keys()].join("|")}`);
  process.stderr.write(`${counts.join("\n")}\n`);
}

await main();
process.exit(0);
