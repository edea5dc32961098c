// The web console in headless Chromium against a real wrangler dev that requires tokens: sign-in,
// topics, produce, finding a record by offset, time and JSON filter, the live tail, a consumer
// group's lag and offset reset, tokens and a refused action, a keyboard-only walk at 390 px.
// Every screen is screenshotted into .tmp/console-screens/, checked for ink, and checked by axe-core.

import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { Edgelog } from "../../src/client/index.js";
import { axeViolations, inkOf, launchBrowser, type Browser } from "../support/browser.js";
import { useServer } from "../support/server.js";

// Code inside page.evaluate runs in the browser; the tests are type-checked without the DOM library.
declare const document: any, sessionStorage: any, getComputedStyle: any;

const ADMIN = "console-admin-secret";
const server = useServer({ vars: { EDGELOG_AUTH: "required", EDGELOG_ADMIN_TOKEN: ADMIN } });
const SHOTS = resolve(import.meta.dirname, "../../.tmp/console-screens");
const TOPIC = "console-orders";
const GROUP = "console-billing";
const EARLIER = 40;

let browser: Browser;
let page: Page;
/** Content-Security-Policy violations and uncaught errors in the page: none may happen. */
const problems: string[] = [];

beforeAll(async () => {
  rmSync(SHOTS, { recursive: true, force: true });
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchBrowser();
  page = await browser.context.newPage();
  watch(page);
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

function watch(p: Page) {
  p.on("console", (m) => {
    if (m.type() === "error" && /Content Security Policy|Refused to/i.test(m.text())) problems.push(m.text());
  });
  p.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
}

async function api(method: string, path: string, body?: unknown, token = ADMIN) {
  const r = await fetch(`${server().url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : undefined };
}

/** Screenshot (kept for people to look at), not blank, and no axe violations. */
async function screen(name: string, p = page) {
  await p.locator("main h1").first().waitFor();
  const png = await p.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const { colours, ink } = await inkOf(browser.context, png);
  expect(colours, `${name}.png colours`).toBeGreaterThan(8);
  expect(ink, `${name}.png drawn share`).toBeGreaterThan(0.02);
  const violations = await axeViolations(p);
  expect(violations, `axe on ${name}: ${JSON.stringify(violations, null, 1)}`).toEqual([]);
}

/** Waits for what the page shows to settle (screens poll the API every few seconds). */
const poll = <T>(read: () => Promise<T>, opts: { timeout?: number } = {}) =>
  expect.poll(read, { timeout: 15_000, ...opts });

const heading = (name: string | RegExp, p = page) => p.getByRole("heading", { level: 1, name });

it("serves the console with a strict Content-Security-Policy and signs in with a token", async () => {
  const res = await fetch(`${server().url}/console/`);
  expect(res.status).toBe(200);
  const csp = res.headers.get("content-security-policy") ?? "";
  for (const directive of ["default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"])
    expect(csp).toContain(directive);
  expect(csp).not.toContain("unsafe");

  await page.goto(`${server().url}/console/`);
  await heading("Sign in to edgelog").waitFor();
  await page.getByLabel("API token").fill("not-a-token");
  await page.getByRole("button", { name: "Sign in" }).click();
  await poll(() => page.getByRole("alert").textContent()).toContain("UNAUTHENTICATED");
  await screen("sign-in");

  await page.getByLabel("API token").fill(ADMIN);
  await page.getByRole("button", { name: "Sign in" }).click();
  await heading("Overview").waitFor();
  expect(await page.evaluate(() => sessionStorage.getItem("edgelog.console.token"))).toBe(ADMIN);
  expect(await page.evaluate(() => document.cookie)).toBe("");
  expect(page.url()).not.toContain(ADMIN);
  await page.getByText("under-replicated partitions").waitFor();
  await screen("overview");
});

let produced: { partition: number; offset: number; timestamp: number };

it("creates a topic and produces a record from the form", async () => {
  await page.getByRole("link", { name: "Topics", exact: true }).click();
  await heading("Topics").waitFor();
  await page.getByRole("link", { name: "Create topic" }).click();
  await page.getByLabel("Name").fill(TOPIC);
  await page.getByLabel("Partitions").fill("3");
  await page.getByLabel("retention.ms", { exact: true }).fill("86400000");
  await screen("topic-create");
  await page.getByRole("button", { name: "Create topic" }).click();
  await heading(`Topic ${TOPIC}`).waitFor();
  const described = await api("GET", `/v1/topics/${TOPIC}`);
  expect(described.body.config["retention.ms"]).toBe(86_400_000);
  expect(described.body.partitions).toHaveLength(3);
  await screen("topic");

  // Earlier records, an hour older, so the record under test is found among others.
  const old = Date.now() - 3_600_000;
  const records = Array.from({ length: EARLIER }, (_, i) => ({ key: `k${i}`, value: { n: i }, timestamp: old + i }));
  expect((await api("POST", `/v1/topics/${TOPIC}/records`, { records })).status).toBe(200);

  await page.getByRole("link", { name: "Produce" }).click();
  await page.getByLabel("Key").fill("user-1");
  await page.getByLabel("Value", { exact: true }).fill('{"order":"console-test","qty":3}');
  await page.getByRole("button", { name: "Add header" }).click();
  await page.getByLabel("Name").fill("source");
  await page.getByLabel("Value", { exact: true }).nth(1).fill("console");
  await page.getByRole("button", { name: "Produce", exact: true }).click();
  const ok = page.getByRole("status");
  await ok.waitFor();
  produced = {
    partition: Number(await page.getByTestId("produced-partition").textContent()),
    offset: Number(await page.getByTestId("produced-offset").textContent()),
    timestamp: Number(await page.getByTestId("produced-timestamp").getAttribute("data-ms")),
  };
  const fetched = await api(
    "GET",
    `/v1/topics/${TOPIC}/partitions/${produced.partition}/records?offset=${produced.offset}`,
  );
  expect(fetched.body.records[0]).toMatchObject({
    key: "user-1",
    value: { order: "console-test", qty: 3 },
    headers: { source: "console" },
  });
  await screen("produce");
});

/** Runs the messages form and waits for that run (not an earlier one) to finish. */
async function findRecords() {
  const runs = async () =>
    Number(
      (await page
        .locator(".progress")
        .getAttribute("data-runs")
        .catch(() => null)) ?? 0,
    );
  const before = await runs();
  await page.getByRole("button", { name: /^(Load|Search)$/ }).click();
  await poll(runs).toBe(before + 1);
  return page.locator("table.records tbody tr");
}

it("finds the record by offset, by time and by a JSON filter, decodes and exports it", async () => {
  await page.getByRole("link", { name: "Messages" }).click();
  await heading(`Messages of ${TOPIC}`).waitFor();

  await page.getByLabel("Partition", { exact: true }).selectOption(String(produced.partition));
  await page.getByLabel("From", { exact: true }).selectOption("offset");
  await page.getByLabel("Offset", { exact: true }).fill(String(produced.offset));
  let rows = await findRecords();
  await poll(() => rows.first().getAttribute("data-offset")).toBe(String(produced.offset));
  expect(await rows.first().textContent()).toContain("console-test");

  await page.getByLabel("Partition", { exact: true }).selectOption("all");
  await page.getByLabel("From", { exact: true }).selectOption("timestamp");
  const second = new Date(Math.floor(produced.timestamp / 1000) * 1000).toISOString().slice(0, 19);
  await page.getByLabel("Time (local)").fill(second);
  rows = await findRecords();
  await poll(() => rows.count()).toBe(1);
  expect(await rows.first().textContent()).toContain("console-test");

  await page.getByLabel("From", { exact: true }).selectOption("earliest");
  await page.getByLabel("JSON path").fill('$.order == "console-test"');
  rows = await findRecords();
  await poll(() => rows.count()).toBe(1);
  expect(await rows.first().getAttribute("data-offset")).toBe(String(produced.offset));
  expect(await page.getByText(/records read/).textContent()).toContain(`${EARLIER + 1} of at most`);

  await page.getByLabel("Show values as").selectOption("hex");
  // {"order" as hex
  expect(await rows.first().textContent()).toContain("7b22 6f72");
  await page.getByLabel("Show values as").selectOption("json");

  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Export JSON" }).click(),
  ]);
  const exported = JSON.parse(readFileSync((await download.path())!, "utf8"));
  expect(exported).toEqual([
    expect.objectContaining({
      offset: produced.offset,
      key: "user-1",
      value: { order: "console-test", qty: 3 },
      headers: { source: "console" },
    }),
  ]);
  await screen("messages");
});

it("shows a new record arrive in the live tail", async () => {
  await page.getByRole("link", { name: "Live tail" }).click();
  await page.locator('[data-state="live"]').waitFor();
  const mark = `ping-${Date.now()}`;
  expect(
    (await api("POST", `/v1/topics/${TOPIC}/records`, { records: [{ key: "live", value: { mark } }] })).status,
  ).toBe(200);
  await page.locator("table.records").getByText(mark).waitFor();
  await page.getByLabel("Key contains").fill("nothing-matches");
  await poll(() => page.locator("table.records").count()).toBe(0);
  await page.getByLabel("Key contains").fill("live");
  await page.locator("table.records").getByText(mark).waitFor();
  await page.getByRole("button", { name: "Pause" }).click();
  await page.locator('[data-state="paused"]').waitFor();
  await screen("live");
});

it("watches a consumer group's lag drop to 0, then resets its offsets after a preview", async () => {
  const total = EARLIER + 2;
  // The group starts with offsets at 0 on every partition: all records are lag.
  const start = await api("POST", `/v1/groups/${GROUP}/offsets/reset`, { to: "earliest", topics: [TOPIC] });
  expect(start.status).toBe(200);

  await page.getByRole("link", { name: "Consumer groups" }).click();
  await page.getByRole("link", { name: GROUP }).click();
  await heading(`Group ${GROUP}`).waitFor();
  await poll(() => page.getByTestId("group-lag").textContent()).toBe(String(total));

  const consumer = new Edgelog({ url: server().url, token: ADMIN }).consumer({
    groupId: GROUP,
    autoCommitIntervalMs: 100,
    maxWaitMs: 200,
  });
  consumer.subscribe(TOPIC);
  let seen = 0;
  const running = consumer.run({ eachMessage: async () => void seen++ });
  try {
    await poll(() => page.getByTestId("group-lag").textContent(), { timeout: 30_000 }).toBe("0");
  } finally {
    await consumer.stop();
    await running;
  }
  expect(seen).toBe(total);
  await poll(() => page.getByTestId("group-state").textContent(), { timeout: 15_000 }).toBe("empty");
  await screen("group");

  await page.getByLabel("Reset to").selectOption("earliest");
  await page.getByRole("button", { name: "Preview" }).click();
  const next = page.getByTestId("reset-next");
  await poll(() => next.allTextContents()).toEqual(["0", "0", "0"]);
  expect(
    (await api("GET", `/v1/groups/${GROUP}/offsets`)).body.offsets.map((o: { offset: number }) => o.offset).sort(),
  ).not.toEqual([0, 0, 0]);
  await page.getByRole("button", { name: "Apply reset" }).click();
  await page.getByText("Reset applied to 3 partitions").waitFor();
  expect(
    (await api("GET", `/v1/groups/${GROUP}/offsets`)).body.offsets.map((o: { offset: number }) => o.offset),
  ).toEqual([0, 0, 0]);
  await poll(() => page.getByTestId("group-lag").textContent()).toBe(String(total));

  await page.getByRole("link", { name: "Consumer groups" }).click();
  await page.getByRole("link", { name: GROUP }).waitFor();
  await screen("groups");
  await page.getByRole("link", { name: "Replication" }).click();
  await page.getByText("No mirrors").waitFor();
  await screen("replication");
});

it("edits a topic's config, adds partitions and deletes it after confirmation", async () => {
  const scratch = "console-scratch";
  expect((await api("POST", "/v1/topics", { name: scratch, partitions: 1 })).status).toBe(201);
  await page.goto(`${server().url}/console/#/topics/${scratch}`);
  await heading(`Topic ${scratch}`).waitFor();

  await page.getByRole("button", { name: "Edit config" }).click();
  await page.getByLabel("cleanup.policy").selectOption("compact");
  await page.getByRole("button", { name: "Save config" }).click();
  await poll(async () => (await api("GET", `/v1/topics/${scratch}`)).body.config["cleanup.policy"]).toBe("compact");
  await page.getByRole("row", { name: /cleanup\.policy compact set/ }).waitFor();

  await page.getByRole("button", { name: "Add partitions" }).click();
  await page.getByLabel(/New partition count/).fill("4");
  await page.getByRole("button", { name: "Add partitions" }).last().click();
  await poll(() => page.getByRole("region", { name: "Partitions" }).locator("tbody tr").count()).toBe(4);

  await page.getByRole("button", { name: "Delete topic" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog.getByRole("button", { name: "Delete topic" }).isDisabled()).resolves.toBe(true);
  await dialog.getByLabel(/Type/).fill(scratch);
  await dialog.getByRole("button", { name: "Delete topic" }).click();
  await heading("Topics").waitFor();
  expect((await api("GET", `/v1/topics/${scratch}`)).status).toBe(404);
});

it("shows the schema registry's subjects and a subject's schema", async () => {
  const schema = { type: "record", name: "Order", fields: [{ name: "order", type: "string" }] };
  const registered = await api("POST", `/registry/subjects/${TOPIC}-value/versions`, {
    schema: JSON.stringify(schema),
  });
  expect(registered.status).toBe(200);
  await page.getByRole("link", { name: "Schemas" }).click();
  await page.getByRole("link", { name: `${TOPIC}-value` }).click();
  await heading(`Subject ${TOPIC}-value`).waitFor();
  await poll(() => page.getByTestId("schema-id").textContent()).toBe(String(registered.body.id));
  expect(await page.locator("pre.schema").textContent()).toContain('"name": "Order"');
  await screen("schema");
});

it("creates a limited token with a preview; a refused action shows the API's error", async () => {
  await page.getByRole("link", { name: "Tokens" }).click();
  await heading("Tokens").waitFor();
  await page.getByLabel("Name").fill("console-reader");
  await page.getByLabel("Resource").fill(`topic:${TOPIC}`);
  const preview = page.getByRole("region", { name: "What this token can do" });
  await poll(() => preview.textContent()).toContain(
    `On the topic "${TOPIC}": fetch records and follow live tails; see it in listings, describe its partitions and look up offsets (consume, describe)`,
  );
  await page.getByRole("button", { name: "Create token" }).click();
  const token = await page.getByTestId("created-token").inputValue();
  expect(token).toMatch(/^elg_/);
  await page.getByRole("cell", { name: "console-reader" }).waitFor();
  await screen("tokens");

  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByLabel("API token").fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
  await heading("Overview").waitFor();
  await page.goto(`${server().url}/console/#/topics/${TOPIC}/produce`);
  await page.getByLabel("Value", { exact: true }).fill('{"x":1}');
  await page.getByRole("button", { name: "Produce", exact: true }).click();
  const refused = await api("POST", `/v1/topics/${TOPIC}/records`, { records: [{ value: { x: 1 } }] }, token);
  expect(refused.status).toBe(403);
  const alert = page.getByRole("alert");
  await alert.waitFor();
  expect(await alert.getAttribute("data-code")).toBe("TOPIC_AUTHORIZATION_FAILED");
  expect(await alert.textContent()).toContain(refused.body.error.message);
  await screen("refused");
});

/** Presses Tab until `done` holds for the focused element (at most 25 presses); each stop shows focus. */
async function tabUntil(p: Page, done: (el: { tag: string; text: string; label: string }) => boolean, what: string) {
  for (let i = 0; i < 25; i++) {
    await p.keyboard.press("Tab");
    const el = await p.evaluate(() => {
      const a = document.activeElement;
      const style = getComputedStyle(a);
      return {
        tag: a.tagName.toLowerCase(),
        text: (a.textContent ?? "").trim(),
        label:
          a.getAttribute("aria-label") ??
          (a.id
            ? (document.querySelector(`label[for="${a.id}"]`)?.textContent ?? "")
            : (a.closest("label")?.textContent ?? "")),
        outline: style.outlineStyle !== "none" && Number.parseFloat(style.outlineWidth) > 0,
      };
    });
    expect(el.outline, `focus is visible on <${el.tag}> ${el.text || el.label}`).toBe(true);
    if (done(el)) return;
  }
  throw new Error(`Tab never reached ${what}`);
}

it("works keyboard-only at 390 px wide", async () => {
  const phone = await browser.context.newPage();
  watch(phone);
  await phone.setViewportSize({ width: 390, height: 844 });
  await phone.goto(`${server().url}/console/`);
  await heading("Sign in to edgelog", phone).waitFor();
  await tabUntil(phone, (el) => el.tag === "input" && el.label.includes("API token"), "the token field");
  await phone.keyboard.type(ADMIN);
  await phone.keyboard.press("Enter");
  await heading("Overview", phone).waitFor();
  await tabUntil(phone, (el) => el.text === "Menu", "the menu button");
  await phone.keyboard.press("Enter");
  await tabUntil(phone, (el) => el.tag === "a" && el.text === "Topics", "the Topics link");
  await phone.keyboard.press("Enter");
  await heading("Topics", phone).waitFor();
  await tabUntil(phone, (el) => el.tag === "input" && el.label.includes("Search topics"), "the search field");
  await phone.keyboard.type("console");
  await phone.getByText("1 matching topics shown").waitFor();
  await tabUntil(phone, (el) => el.tag === "a" && el.text === TOPIC, `the ${TOPIC} link`);
  await phone.keyboard.press("Enter");
  await heading(`Topic ${TOPIC}`, phone).waitFor();
  expect(await phone.evaluate(() => document.activeElement?.tagName)).toBe("H1");
  // Nothing wider than the screen but the tables, which scroll in their own box.
  expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await screen("phone-topic", phone);
  await phone.close();
  expect(problems).toEqual([]);
});
