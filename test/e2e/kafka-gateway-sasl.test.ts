// Kafka clients signing in through the gateway to an auth-required wrangler dev: kcat/librdkafka
// with SASL_PLAINTEXT (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512) and SASL_SSL, kafkajs SASL, each
// connection acting with its own token's grants, and bad sign-ins ending in an error and a close.
// On the shared "auth" server.

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Kafka, logLevel, type SASLOptions } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, type Gateway } from "../../src/gateway/main.js";
import { wireClient } from "../support/kafka-wire.js";
import { kcat } from "../support/kcat.js";
import { SHARED_ADMIN_TOKEN as ADMIN, sharedServer, type SharedServer } from "../support/shared-servers.js";

let server: SharedServer;
let plain: Gateway;
let ssl: Gateway;
let caFile: string;
let own: string;
let other: string;
let client: { id: string; token: string; secret: string };
const logs: string[] = [];

async function api(method: string, path: string, body?: unknown) {
  const res = await fetch(server.url + path, {
    method,
    headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

async function mint(grants: { resource: string; operations: string[] }[]) {
  const r = await api("POST", "/v1/tokens", { name: "sasl-e2e", grants });
  expect(r.status).toBe(201);
  return { id: r.body.id as string, token: r.body.token as string, secret: (r.body.token as string).split("_")[2]! };
}

beforeAll(async () => {
  server = await sharedServer("auth");
  own = `own-${Date.now().toString(36)}`;
  other = `other-${Date.now().toString(36)}`;
  for (const name of [own, other]) expect((await api("POST", "/v1/topics", { name, partitions: 1 })).status).toBe(201);
  client = await mint([
    { resource: `topic:${own}`, operations: ["produce", "consume"] },
    { resource: "group:*", operations: ["consume"] },
  ]);
  // The gateway's own token may check sign-ins and nothing else.
  const gatewayToken = (await mint([{ resource: "cluster", operations: ["authenticate"] }])).token;
  const dir = mkdtempSync(join(tmpdir(), "edgelog-tls-"));
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=IP:127.0.0.1,DNS:localhost",
      "-keyout",
      join(dir, "key.pem"),
      "-out",
      join(dir, "cert.pem"),
    ],
    { stdio: "ignore" },
  );
  caFile = join(dir, "cert.pem");
  const common = {
    listen: "127.0.0.1:0",
    upstream: server.url,
    token: gatewayToken,
    sasl: true,
    log: (m: string) => void logs.push(m),
  };
  plain = await startGateway(common);
  ssl = await startGateway({
    ...common,
    tls: { cert: readFileSync(caFile), key: readFileSync(join(dir, "key.pem")) },
  });
}, 90_000);

afterAll(async () => {
  await plain?.close();
  await ssl?.close();
});

const saslArgs = (gw: Gateway, mechanism: string, username: string, password: string, tls = false) => [
  "-b",
  `127.0.0.1:${gw.port}`,
  "-X",
  `security.protocol=${tls ? "SASL_SSL" : "SASL_PLAINTEXT"}`,
  "-X",
  `sasl.mechanisms=${mechanism}`,
  "-X",
  `sasl.username=${username}`,
  "-X",
  `sasl.password=${password}`,
  ...(tls ? ["-X", `ssl.ca.location=${caFile}`] : []),
];

async function roundTrip(args: string[], label: string) {
  const lines = [`${label}-a`, `${label}-b`];
  const p = await kcat([...args, "-P", "-t", own], `${lines.join("\n")}\n`);
  expect(p.code, p.stderr).toBe(0);
  const c = await kcat([...args, "-C", "-t", own, "-o", "beginning", "-e", "-f", "%s\n"]);
  expect(c.code, c.stderr).toBe(0);
  expect(c.stdout).toContain(lines.join("\n"));
}

describe("kcat (librdkafka)", () => {
  it("SASL_PLAINTEXT with PLAIN: token id and secret, or any name and the whole token", async () => {
    await roundTrip(saslArgs(plain, "PLAIN", client.id, client.secret), "plain");
    await roundTrip(saslArgs(plain, "PLAIN", "me", client.token), "plain-token");
  });

  it.each(["SCRAM-SHA-256", "SCRAM-SHA-512"])("SASL_PLAINTEXT with %s", async (mech) => {
    await roundTrip(saslArgs(plain, mech, client.id, client.secret), mech);
  });

  it("SASL_SSL with SCRAM-SHA-512, the gateway's certificate checked against the test's CA", async () => {
    await roundTrip(saslArgs(ssl, "SCRAM-SHA-512", client.id, client.secret, true), "ssl");
  });

  it("a wrong password fails the sign-in and kcat reports it", async () => {
    const r = await kcat([...saslArgs(plain, "SCRAM-SHA-256", client.id, "0".repeat(64)), "-L", "-m", "2"], "", 20_000);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Authentication failed|SASL authentication error/i);
  });
});

describe("kafkajs", () => {
  const kafkaAs = (sasl: SASLOptions) =>
    new Kafka({
      brokers: [`127.0.0.1:${plain.port}`],
      clientId: "sasl-e2e",
      sasl,
      logLevel: logLevel.NOTHING,
      retry: { retries: 2, initialRetryTime: 50 },
    });
  const kafkaType = (e: unknown) => {
    for (let x = e as any; x; x = x.originalError ?? x.cause) if (x.type && x.type !== "UNKNOWN") return x.type;
    return undefined;
  };

  it.each([
    { mechanism: "plain" as const },
    { mechanism: "scram-sha-256" as const },
    { mechanism: "scram-sha-512" as const },
  ])(
    "$mechanism: a limited token's connection may produce to its topic, and is refused another with TOPIC_AUTHORIZATION_FAILED",
    async ({ mechanism }) => {
      const producer = kafkaAs({ mechanism, username: client.id, password: client.secret } as SASLOptions).producer();
      await producer.connect();
      try {
        const sent = await producer.send({ topic: own, messages: [{ value: `kafkajs ${mechanism}` }] });
        expect(sent[0]!.errorCode).toBe(0);
        const refused = await producer.send({ topic: other, messages: [{ value: "x" }] }).catch((e) => e);
        expect(kafkaType(refused), String(refused)).toBe("TOPIC_AUTHORIZATION_FAILED");
      } finally {
        await producer.disconnect();
      }
    },
  );

  it("a wrong password is reported as a SASL authentication failure", async () => {
    const producer = kafkaAs({ mechanism: "scram-sha-512", username: client.id, password: "nope" }).producer();
    const e = await producer.connect().catch((x) => x);
    expect(String(e)).toMatch(/SASL SCRAM SHA512 authentication failed|Authentication failed/i);
  });
});

describe("the wire, by hand", () => {
  const str = (s: string) => {
    const b = Buffer.from(s);
    const out = Buffer.alloc(2 + b.length);
    out.writeInt16BE(b.length);
    b.copy(out, 2);
    return out;
  };

  it("a client that skips SASL is disconnected before anything is served", async () => {
    const w = await wireClient(plain.port);
    w.send(3, 1, 1, Buffer.from([0, 0, 0, 0])); // Metadata v1, no topics
    expect(await w.next()).toBeNull();
  });

  it("an unknown mechanism gets UNSUPPORTED_SASL_MECHANISM with the offered list, then a close", async () => {
    const w = await wireClient(plain.port);
    w.send(17, 1, 7, str("GSSAPI"));
    const r = Buffer.from((await w.next())!);
    expect(r.readInt32BE(0)).toBe(7);
    expect(r.readInt16BE(4)).toBe(33);
    expect(r.subarray(10).toString()).toContain("SCRAM-SHA-512");
    expect(await w.next()).toBeNull();
  });

  it("a wrong PLAIN password gets SaslAuthenticate's SASL_AUTHENTICATION_FAILED, then a close; the gateway serves on", async () => {
    const w = await wireClient(plain.port);
    w.send(17, 1, 1, str("PLAIN"));
    expect(Buffer.from((await w.next())!).readInt16BE(4)).toBe(0);
    const auth = Buffer.from(`\u0000${client.id}\u0000${"0".repeat(64)}`);
    const len = Buffer.alloc(4);
    len.writeInt32BE(auth.length);
    w.send(36, 1, 2, Buffer.concat([len, auth]));
    const r = Buffer.from((await w.next())!);
    expect(r.readInt32BE(0)).toBe(2);
    expect(r.readInt16BE(4)).toBe(58);
    expect(r.toString()).toContain("Authentication failed");
    expect(await w.next()).toBeNull();
    await roundTrip(saslArgs(plain, "PLAIN", client.id, client.secret), "after-failures");
  });

  it("a frame over 512 KiB before authentication closes the connection, read from its size alone", async () => {
    const w = await wireClient(plain.port);
    const size = Buffer.alloc(4);
    size.writeInt32BE(512 * 1024 + 1);
    w.write(size);
    expect(await w.next()).toBeNull();
    expect(logs.some((l) => l.includes("before SASL authentication"))).toBe(true);
  });
});
