import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../support/server.js";
import { sharedServer, type SharedServer } from "../support/shared-servers.js";

const ROOT = resolve(import.meta.dirname, "../..");
const CLI = join(ROOT, "dist/cli.js");

let server: SharedServer;
let dir: string;
beforeAll(async () => {
  // The bin is the bundled JS a user runs with plain node; build it from the current source.
  execFileSync(process.execPath, ["scripts/build.mjs"], { cwd: ROOT });
  dir = mkdtempSync(join(tmpdir(), "edgelog-cli-"));
  server = await sharedServer("open");
}, 90_000);
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

let seq = 0;
const uniqueName = (p: string) => `${p}-${Date.now().toString(36)}-${++seq}`;

/** Runs a shell line with `edgelog` on PATH-free terms: $EDGELOG is the bin, EDGELOG_URL the server. */
function sh(script: string, url = server.url): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const child = spawn("bash", ["-c", script], {
      cwd: dir,
      env: { ...process.env, EDGELOG: `${process.execPath} ${CLI}`, EDGELOG_URL: url },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => res({ code: code ?? -1, stdout, stderr }));
  });
}

function oneLine(stderr: string) {
  expect(stderr.trim().split("\n")).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
}

describe("edgelog CLI", () => {
  it("round-trips a file byte for byte through produce | consume", async () => {
    const a = uniqueName("cli-a");
    const b = uniqueName("cli-b");
    const lines = Array.from({ length: 5_000 }, (_, i) =>
      i % 7 === 0 ? "" : i % 5 === 0 ? `{"json":${i}}` : `línea ${i}\twith tab, emoji 🚀 and trailing space `,
    );
    writeFileSync(join(dir, "in.txt"), `${lines.join("\n")}\n`);
    const created = await sh(`$EDGELOG topics create ${a} && $EDGELOG topics create ${b} --partitions 1`);
    expect(created.code, created.stderr).toBe(0);

    const r = await sh(`set -o pipefail
      $EDGELOG produce ${a} < in.txt &&
      $EDGELOG consume ${a} --from-beginning | $EDGELOG produce ${b} &&
      $EDGELOG consume ${b} --from-beginning > out.txt`);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dir, "out.txt")).equals(readFileSync(join(dir, "in.txt")))).toBe(true);
  });

  it("splits keys with --key-sep and prints them back", async () => {
    const t = uniqueName("cli-keys");
    const r = await sh(`$EDGELOG topics create ${t} -p 3 >/dev/null &&
      printf 'user-1\\tlogin\\nuser-2\\tlogout\\nuser-1\\tlogout\\n' | $EDGELOG produce ${t} -K '\\t' &&
      $EDGELOG consume ${t} --from-beginning -K '=' | sort`);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("user-1=login\nuser-1=logout\nuser-2=logout\n");
  });

  it("manages topics and groups", async () => {
    const t = uniqueName("cli-admin");
    const g = uniqueName("cli-g");
    const r = await sh(`set -e
      $EDGELOG topics create ${t} --partitions 2 --config retention.ms=3600000 >/dev/null
      $EDGELOG topics alter ${t} --partitions 3 >/dev/null
      $EDGELOG topics list | grep -F "${t}"
      printf 'a\\nb\\n' | $EDGELOG produce ${t} --partition 1
      $EDGELOG consume ${t} --group ${g} --from-beginning
      $EDGELOG groups reset-offsets ${g} --to earliest --topic ${t}
      $EDGELOG groups describe ${g} | grep -c '"state": "empty"'
      $EDGELOG groups delete ${g}
      $EDGELOG topics delete ${t}
      $EDGELOG topics list | grep -cF "${t}" || true`);
    expect(r.code, r.stderr).toBe(0);
    // The consumer left the group on exit, so its offsets could be reset and the group deleted.
    expect(r.stdout).toBe(`${t}\t3\na\nb\n${t}\t0\t0\n${t}\t1\t0\n${t}\t2\t0\n1\n0\n`);
  });

  it("fails with one line and a non-zero exit on bad input, a missing topic, an unreachable server and a broken pipe", async () => {
    const unknownFlag = await sh(`$EDGELOG consume x --bogus`);
    expect(unknownFlag.code).toBe(2);
    expect(unknownFlag.stderr).toContain("unknown option '--bogus'");

    const missing = await sh(`echo hi | $EDGELOG produce ${uniqueName("nope")}`);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^edgelog: UNKNOWN_TOPIC_OR_PARTITION: /);
    oneLine(missing.stderr);

    const down = await sh(`$EDGELOG topics list`, `http://127.0.0.1:${await freePort()}`);
    expect(down.code).toBe(3);
    expect(down.stderr).toMatch(/^edgelog: NETWORK_EXCEPTION: cannot reach .*is the server running/);
    oneLine(down.stderr);

    const t = uniqueName("cli-pipe");
    await sh(`$EDGELOG topics create ${t} >/dev/null && seq 1 20000 | $EDGELOG produce ${t}`);
    const pipe = await sh(`$EDGELOG consume ${t} --from-beginning --follow | head -n 1; exit \${PIPESTATUS[0]}`);
    expect(pipe.stdout).toBe("1\n");
    expect(pipe.code).toBe(4);
    expect(pipe.stderr).toMatch(/broken pipe/);
    oneLine(pipe.stderr);
  });

  it("manages a connector: validate, create, list, pause, stop, offsets, delete", async () => {
    const topic = uniqueName("cli-hook");
    const name = uniqueName("cli-src");
    // Each CLI run is a Node start (a second or more on a busy machine): the API does the rest.
    const api = (method: string, path: string, body?: unknown) =>
      fetch(`${server.url}${path}`, {
        method,
        headers: { "content-type": "application/json", "idempotency-key": "d-1" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    expect((await api("POST", "/v1/topics", { name: topic, partitions: 1 })).status).toBe(201);

    // An invalid config: each key's error, the count, exit 1 (nothing created).
    const invalid = await sh(`$EDGELOG connectors validate http-source -c name=${name} -c ingest.split=words`);
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toMatch(/^topic: .+$/m);
    expect(invalid.stdout).toMatch(/^ingest\.split: .+$/m);
    expect(invalid.stdout).toMatch(/^2 error\(s\)$/m);

    writeFileSync(join(dir, "src.json"), JSON.stringify({ "connector.class": "http-source", topic }));
    const created = await sh(`$EDGELOG connectors create ${name} -f src.json`);
    expect(created.code, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ name, type: "source", config: { topic } });
    expect((await sh(`$EDGELOG connectors list`)).stdout).toContain(`${name}\tsource\tRUNNING\n`);

    expect((await api("POST", `/v1/connectors/${name}/ingest`, { hello: "cli" })).status).toBe(200);

    expect((await sh(`$EDGELOG connectors pause ${name}`)).code).toBe(0);
    const paused = (await (await api("GET", `/v1/connectors/${name}/status`)).json()) as any;
    expect(paused.connector.state).toBe("PAUSED");

    // KIP-875: offsets change only when stopped.
    const early = await sh(`$EDGELOG connectors offsets ${name} --reset`);
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(/^edgelog: CONNECTOR_NOT_STOPPED: /);
    oneLine(early.stderr);
    expect((await sh(`$EDGELOG connectors stop ${name}`)).code).toBe(0);
    const offsets = JSON.parse((await sh(`$EDGELOG connectors offsets ${name}`)).stdout);
    expect(offsets.offsets[0].offset).toMatchObject({ deliveries: 1, last_delivery: "d-1" });
    expect((await sh(`$EDGELOG connectors offsets ${name} --reset`)).code).toBe(0);
    expect(((await (await api("GET", `/v1/connectors/${name}/offsets`)).json()) as any).offsets).toEqual([]);

    expect((await sh(`$EDGELOG connectors delete ${name}`)).code).toBe(0);
    const gone = await sh(`$EDGELOG connectors status ${name}`);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/^edgelog: CONNECTOR_NOT_FOUND: /);
    oneLine(gone.stderr);
  });
});

describe("edgelog kafka-gateway", () => {
  it("serves Kafka clients: kcat produces and consumes through the CLI's gateway", async () => {
    const topic = uniqueName("cli-kafka");
    expect((await sh(`$EDGELOG topics create ${topic}`)).code).toBe(0);
    const port = await freePort();
    const gateway = spawn(
      process.execPath,
      [CLI, "kafka-gateway", "--listen", `127.0.0.1:${port}`, "--upstream", server.url],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    try {
      // The gateway says where it listens once it accepts connections: the event to wait for.
      await new Promise<void>((res, rej) => {
        gateway.stdout.on("data", (d: Buffer) => (d.toString().includes("listening") ? res() : undefined));
        gateway.once("exit", (code) => rej(new Error(`gateway exited with ${code}`)));
      });
      const broker = `127.0.0.1:${port}`;
      const produced = await sh(`printf 'k1:one\\nk2:two\\n' | kcat -b ${broker} -P -t ${topic} -K:`);
      expect(produced.code, produced.stderr).toBe(0);
      const consumed = await sh(`kcat -b ${broker} -C -t ${topic} -o beginning -e -q -f '%k=%s\\n'`);
      expect(consumed.stdout.trim().split("\n")).toEqual(["k1=one", "k2=two"]);
    } finally {
      gateway.kill("SIGTERM");
    }
  });

  it("explains a missing flag in one line with exit code 2", async () => {
    const r = await sh(`$EDGELOG kafka-gateway --listen 127.0.0.1:0`);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--upstream/);
  });
});
