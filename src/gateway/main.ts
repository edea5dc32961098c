// The Kafka gateway's command line (`edgelog kafka-gateway`, `node dist/gateway.mjs`); startGateway is the programmatic form.

import { parseArgs } from "node:util";
import { DEFAULT_LIMITS, type GatewayLimits, LIMIT_NAMES, resolveLimits } from "./limits.js";
import { startGateway, type GatewayOptions } from "./server.js";

export { startGateway, type Gateway, type GatewayOptions, type GatewayStats } from "./server.js";
export { DEFAULT_LIMITS, type GatewayLimits } from "./limits.js";

const D = DEFAULT_LIMITS;
export const USAGE = `usage: kafka-gateway --listen HOST:PORT --upstream URL [--advertise HOST:PORT] [--token TOKEN] [--auto-create-topics] [limits]
  --listen              where Kafka clients connect (e.g. 127.0.0.1:9092)
  --upstream            edgelog's HTTP base URL (e.g. http://127.0.0.1:8787)
  --advertise           the address clients are told to use (default: --listen)
  --token               sent to edgelog as Authorization: Bearer (default: $EDGELOG_TOKEN)
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
  return {
    ...limits,
    listen: values.listen,
    upstream: values.upstream,
    advertise: values.advertise,
    token: values.token ?? env.EDGELOG_TOKEN,
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
  process.stdout.write(`kafka-gateway listening on ${gw.host}:${gw.port}, upstream ${opts.upstream}\n`);
  const stop = () => void gw.close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  return undefined;
}
