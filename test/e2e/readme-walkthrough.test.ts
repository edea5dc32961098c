// The shell sessions the README and the docs/ pages show, run verbatim (only the address changed)
// against a real wrangler dev: whatever they show must keep working.

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { expect, it } from "vitest";
import { useServer } from "../support/server.js";

// As `npm start` runs it: an http-sink may call hosts on this machine.
const server = useServer({ vars: { EDGELOG_CONNECT_HTTP_ALLOWED_HOSTS: "127.0.0.1,localhost" } });
const ROOT = resolve(import.meta.dirname, "../..");

interface Step {
  command: string;
  /** The output the page shows for it, in a `# …` line right after it. */
  expected?: string;
}

/**
 * The first sh block of a section of a Markdown file (README.md or a docs/ page), split into
 * commands (continuations and quoted newlines joined). The section runs from its heading to the
 * next heading of the same or a higher level.
 */
function steps(file: string, heading: string): Step[] {
  const lines = readFileSync(resolve(ROOT, file), "utf8").split("\n");
  // Headings outside code blocks only: a shell comment ("# create a topic") is not a heading.
  let fenced = false;
  const headings = lines.map((l) => {
    if (l.startsWith("```")) fenced = !fenced;
    return !fenced && /^#+ /.test(l) ? l.indexOf(" ") : 0;
  });
  const start = lines.findIndex((l, i) => headings[i]! > 0 && l.slice(headings[i]! + 1) === heading);
  expect(start, `${file} has a section "${heading}"`).toBeGreaterThanOrEqual(0);
  const end = headings.findIndex((level, i) => i > start && level > 0 && level <= headings[start]!);
  const section = lines.slice(start + 1, end < 0 ? undefined : end).join("\n");
  const block = section.split("```sh")[1]!.split("```")[0]!;
  const out: Step[] = [];
  let current = "";
  for (const line of block.split("\n")) {
    const trimmed = line.trim();
    if (current === "" && trimmed.startsWith("# ")) {
      const shown = trimmed.slice(2);
      const last = out.at(-1);
      if (last && last.expected === undefined && /^[{\d]/.test(shown)) last.expected = shown;
      continue;
    }
    if (current === "" && trimmed === "") continue;
    current += `${line}\n`;
    const openQuote = (current.match(/'/g)?.length ?? 0) % 2 === 1;
    if (!line.endsWith("\\") && !openQuote) {
      out.push({ command: current });
      current = "";
    }
  }
  return out;
}

/** Runs a session in one shell (so variables carry over) and returns each command's output. */
function run(session: Step[]): string[] {
  const marker = "\n@@edgelog-step@@\n";
  const script = session
    .map((s) => `printf '${marker.replace(/\n/g, "\\n")}'\n${s.command}`)
    .join("")
    .replaceAll("http://127.0.0.1:8787", server().url);
  // The CLI reads its server from EDGELOG_URL when no --url is given.
  const out = execFileSync("bash", ["-c", script], {
    encoding: "utf8",
    cwd: ROOT,
    env: { ...process.env, EDGELOG_URL: server().url },
  });
  return out.split(marker).slice(1);
}

it("runs the quick start verbatim", () => {
  const session = steps("README.md", "Quick start");
  expect(session.length).toBeGreaterThanOrEqual(7);
  const outputs = run(session).map((o, i) => {
    const json = JSON.parse(o);
    expect(json.error, `${session[i]!.command} → ${o}`).toBeUndefined();
    return json;
  });
  const [created, produced, described, fetched, byTime, earliest, latest, polled] = outputs;
  expect(created.name).toBe("orders");
  // The README says where the keys land: user-1 → 2, user-4 → 1.
  expect(produced.records.map((r: any) => r.partition)).toEqual([2, 2, 1]);
  expect(described.partitions.map((p: any) => p.high_watermark)).toEqual([0, 1, 2]);
  expect(fetched.records.map((r: any) => r.value.item)).toEqual(["book", "pen"]);
  expect(fetched.records[1].headers).toEqual({ source: "web" });
  expect(byTime).toEqual({ offset: 1, timestamp: 1767225660000 });
  expect(earliest.offset).toBe(0);
  expect(latest.offset).toBe(2);
  expect(polled.records).toEqual([]);
}, 60_000);

it("runs the consumer-group session of docs/consumer-groups.md verbatim, with the outputs it shows", () => {
  const session = steps("docs/consumer-groups.md", "A two-consumer session");
  const outputs = run(session);
  let checked = 0;
  session.forEach((step, i) => {
    const got = outputs[i]!.trim();
    if (step.expected === undefined) return;
    checked++;
    if (step.expected.startsWith("{")) expect(JSON.parse(got), step.command).toEqual(JSON.parse(step.expected));
    else expect(got, step.command).toBe(step.expected);
  });
  expect(checked).toBeGreaterThanOrEqual(6);
}, 60_000);

it("runs the CLI quick start verbatim (all but the endless tail, which the live tests cover)", () => {
  const session = steps("README.md", "With the CLI and the SDK").filter((s) => !s.command.includes(" tail "));
  expect(session.map((s) => s.command.trim().split(" ")[0])).toContain("npx");
  const [created, produced, consumed] = run(session);
  expect(created).toMatch(/signups/);
  expect(produced).toBe("");
  expect(consumed!.trim().split("\n").sort()).toEqual(["user-1 => signed up", "user-2 => signed up"]);
}, 60_000);

it("runs the README's Connectors section verbatim: an http-sink created, watched, its DLQ read", () => {
  const session = steps("README.md", "Connectors");
  const [topic, dlq, created, status, dead] = run(session).map((o) => JSON.parse(o));
  expect(topic.name).toBe("shipments");
  expect(dlq.name).toBe("shipments-dlq");
  expect(created).toMatchObject({ name: "shipments-to-webhook", type: "sink", tasks: [{ task: 0 }] });
  expect(status.connector.state).toBe("RUNNING");
  expect(dead.records).toEqual([]);
}, 60_000);

it("runs the connectors quick start of docs/connectors.md verbatim", async () => {
  const session = steps("docs/connectors.md", "Quick start");
  const outputs = run(session).map((o) => JSON.parse(o));
  for (const [i, o] of outputs.entries()) expect(o.error, session[i]!.command).toBeUndefined();
  expect(outputs[3]).toMatchObject({ records: [{ topic: "newsletter" }, { topic: "newsletter" }], skipped: 0 });
  expect(outputs[5]["newsletter-in"].status.connector.state).toBe("RUNNING");
  expect(outputs[6]).toMatchObject({ name: "newsletter-lake", type: "sink" });
}, 60_000);

it("serves /healthz and the OpenAPI document", async () => {
  expect(await (await fetch(`${server().url}/healthz`)).json()).toEqual({ ok: true, auth: "off" });
  const doc = (await (await fetch(`${server().url}/v1/openapi.json`)).json()) as any;
  expect(doc.openapi).toBe("3.1.0");
  expect(Object.keys(doc.paths)).toContain("/v1/topics/{topic}/records");
});

it("runs the geo-replication example of docs/geo-replication.md verbatim", () => {
  const session = steps("docs/geo-replication.md", "Geo-replication");
  const [created, produced, read, described] = run(session);
  expect(JSON.parse(created!).config["replica.regions"]).toEqual(["weur", "apac"]);
  expect(JSON.parse(produced!).records).toEqual([expect.objectContaining({ partition: 0, offset: 0 })]);
  expect(read).toMatch(/^edgelog-replica: apac\r?$/im);
  expect(JSON.parse(read!.split(/\r?\n\r?\n/)[1]!).records[0]).toMatchObject({ key: "EURUSD", value: 1.0842 });
  const p = JSON.parse(described!).partitions[0];
  expect(p).toMatchObject({ high_watermark: 1, log_end_offset: 1, isr: ["leader", "weur", "apac"] });
  expect(p.replicas.map((r: { lag: number }) => r.lag)).toEqual([0, 0]);
}, 60_000);

it("runs the failover session of docs/geo-replication.md verbatim, with the output it shows", () => {
  const session = steps("docs/geo-replication.md", "Failover");
  const [away, home] = run(session);
  expect(JSON.parse(away!)).toEqual({ partitions: [{ partition: 0, leader: "weur", leader_epoch: 1 }] });
  expect(home!.trim()).toBe(session[1]!.expected);
}, 60_000);

it("runs the transaction session of docs/transactions.md verbatim, with what its outputs show", () => {
  const session = steps("docs/transactions.md", "A transaction with curl");
  const outputs = run(session).map((o) => o.trim());
  const json = outputs.filter((o) => o.startsWith("{")).map((o) => JSON.parse(o));
  const [created, init, p0, p1, before, commit, after] = json;
  expect(created.name).toBe("payments");
  expect(init).toMatchObject({ transactional_id: "payments-writer", producer: { epoch: 0 }, version: 2 });
  expect(p0.records).toEqual([expect.objectContaining({ partition: 0, offset: 0 })]);
  expect(p1.records).toEqual([expect.objectContaining({ partition: 1, offset: 0 })]);
  expect(before).toEqual({
    records: [],
    next_offset: 0,
    high_watermark: 1,
    log_start_offset: 0,
    last_stable_offset: 0,
  });
  expect(commit).toEqual({
    transactional_id: "payments-writer",
    result: "committed",
    producer: { id: init.producer.id, epoch: 1 },
    complete: true,
  });
  expect(after.records.map((r: { value: unknown }) => r.value)).toEqual([{ amount: 5 }]);
  expect(after).toMatchObject({ next_offset: 2, high_watermark: 2, last_stable_offset: 2 });
}, 60_000);
