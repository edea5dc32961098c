// The Kafka gateway's command line (`edgelog kafka-gateway`, `node dist/gateway.mjs`); startGateway is the programmatic form.

import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { DEFAULT_LIMITS, type GatewayLimits, LIMIT_NAMES, resolveLimits } from "./limits.js";
import { SASL_MECHANISMS, type SaslMechanism } from "./sasl.js";
import { startGateway, type GatewayOptions } from "./server.js";

export { startGateway, type Gateway, type GatewayOptions, type GatewayStats } from "./server.js";
export { DEFAULT_LIMITS, type GatewayLimits } from "./limits.js";

const D = DEFAULT_LIMITS;
export const USAGE = `usage: kafka-gateway --listen HOST:PORT --upstream URL [--advertise HOST:PORT] [--token TOKEN] [--sasl] [--tls-cert FILE --tls-key FILE] [--auto-create-topics] [limits]
  --listen              where Kafka clients connect (e.g. 127.0.0.1:9092)
  --upstream            edgelog's HTTP base URL (e.g. http://127.0.0.1:8787)
  --advertise           the address clients are told to use (default: --listen)
  --token               sent to edgelog as Authorization: Bearer (default: $EDGELOG_TOKEN): every client's
                        credential without --sasl; with --sasl the gateway's own, to check sign-ins
  --sasl                clients must sign in (SASL_PLAINTEXT, or SASL_SSL with --tls-*) as an edgelog token
                        and act with its grants
  --sasl-mechanisms     comma-separated, of ${SASL_MECHANISMS.join(", ")} (default: all)
  --tls-cert, --tls-key PEM files: the listener speaks TLS (SSL, or SASL_SSL with --sasl)
  --auto-create-topics  create topics a Metadata request asks for, as Kafka's auto.create.topics.enable
limits (Kafka's broker settings of the same names):
  --socket-request-max-bytes N  largest request; a bigger one closes its connection (default ${D.socketRequestMaxBytes})
  --queued-max-request-bytes N  request bytes held across all connections (default ${D.queuedMaxRequestBytes})
  --connections-max-idle-ms N   close a connection idle this long (default ${D.connectionsMaxIdleMs})
  --request-read-timeout-ms N   close a connection whose request takes longer to arrive (default ${D.requestReadTimeoutMs})
  --max-connections N           refuse connections beyond this many (default ${D.maxConnections})`;

const LIMIT_KEYS = Object.keys(LIMIT_NAMES) as (keyof GatewayLimits)[];

function parseLimit(flag: string, v: string): number {
  if (!/^\d+$/.test(v)) throw new Error(`--${flag} must be a positive integer, got ${JSON.stringify(v)}`);
  return Number(v);
}

/** Parses the command line; throws with a usage message on anything missing or unknown. */
export function parseGatewayArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): GatewayOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      listen: { type: "string" },
      upstream: { type: "string" },
      advertise: { type: "string" },
      token: { type: "string" },
      sasl: { type: "boolean" },
      "sasl-mechanisms": { type: "string" },
      "tls-cert": { type: "string" },
      "tls-key": { type: "string" },
      "auto-create-topics": { type: "boolean" },
      ...Object.fromEntries(LIMIT_KEYS.map((k) => [LIMIT_NAMES[k], { type: "string" as const }])),
    },
    strict: true,
  });
  if (!values.listen || !values.upstream) throw new Error(`--listen and --upstream are required\n${USAGE}`);
  if (!/^https?:\/\//.test(values.upstream))
    throw new Error(`--upstream must be an http(s) URL, got ${JSON.stringify(values.upstream)}`);
  const limits: Partial<GatewayLimits> = {};
  for (const k of LIMIT_KEYS) {
    const v = (values as Record<string, unknown>)[LIMIT_NAMES[k]];
    if (typeof v === "string") limits[k] = parseLimit(LIMIT_NAMES[k], v);
  }
  // Inconsistent limits are a usage error, reported before anything listens.
  resolveLimits(limits);
  if (Boolean(values["tls-cert"]) !== Boolean(values["tls-key"]))
    throw new Error("--tls-cert and --tls-key go together: a PEM certificate (chain) and its private key");
  let saslMechanisms: SaslMechanism[] | undefined;
  if (values["sasl-mechanisms"] !== undefined) {
    if (!values.sasl) throw new Error("--sasl-mechanisms needs --sasl");
    saslMechanisms = values["sasl-mechanisms"].split(",").map((m) => m.trim()) as SaslMechanism[];
    const bad = saslMechanisms.find((m) => !(SASL_MECHANISMS as readonly string[]).includes(m));
    if (bad !== undefined)
      throw new Error(`--sasl-mechanisms: unknown mechanism ${JSON.stringify(bad)}; use ${SASL_MECHANISMS.join(", ")}`);
  }
  return {
    ...limits,
    listen: values.listen,
    upstream: values.upstream,
    advertise: values.advertise,
    token: values.token ?? env.EDGELOG_TOKEN,
    sasl: values.sasl ?? false,
    saslMechanisms,
    tls: values["tls-cert"]
      ? { cert: readFileSync(values["tls-cert"]), key: readFileSync(values["tls-key"]!) }
      : undefined,
    autoCreateTopics: values["auto-create-topics"] ?? false,
  };
}

/**
 * Runs the gateway until SIGINT or SIGTERM: `node dist/gateway.mjs …` and `edgelog kafka-gateway …`.
 * Resolves with the exit code for a usage error; otherwise keeps serving.
 */
export async function runGateway(argv: string[]): Promise<number | undefined> {
  let opts: GatewayOptions;
  try {
    if (argv.includes("--help") || argv.includes("-h")) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    opts = parseGatewayArgs(argv);
  } catch (e) {
    process.stderr.write(`kafka-gateway: ${(e as Error).message}\n`);
    return 2;
  }
  const gw = await startGateway(opts);
  const protocol = `${opts.sasl ? "SASL_" : ""}${opts.tls ? "SSL" : "PLAINTEXT"}`;
  process.stdout.write(`kafka-gateway listening on ${gw.host}:${gw.port} (${protocol}), upstream ${opts.upstream}\n`);
  const stop = () => void gw.close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  return undefined;
}
