// argv -> a Command, with no I/O: every flag, default and usage message of the CLI lives here.

import { parseArgs, type ParseArgsConfig } from "node:util";
import { ISOLATION_LEVELS, VALUE_FORMATS, type IsolationLevel, type ValueFormat } from "../protocol/constants.js";

export const DEFAULT_URL = "http://127.0.0.1:8787";

export type Command =
  | { kind: "help"; text: string }
  | { kind: "version" }
  | { kind: "topics.create"; name: string; partitions?: number; config: Record<string, string> }
  | { kind: "topics.list" }
  | { kind: "topics.describe"; name: string }
  | { kind: "topics.alter"; name: string; partitions?: number; config: Record<string, string | null> }
  | { kind: "topics.delete"; name: string }
  | {
      kind: "produce";
      topic: string;
      keySep?: string;
      format: ValueFormat;
      partition?: number;
      lingerMs: number;
      idempotent: boolean;
      acks: 1 | "all";
    }
  | {
      kind: "consume";
      topic: string;
      group?: string;
      fromBeginning: boolean;
      follow: boolean;
      partition?: number;
      offset?: number;
      keySep?: string;
      format: ValueFormat;
      maxMessages?: number;
      replica?: string;
      decode?: "registry";
      isolation?: IsolationLevel;
    }
  | { kind: "groups.list" }
  | { kind: "groups.describe"; group: string }
  | {
      kind: "groups.reset-offsets";
      group: string;
      to: "earliest" | "latest" | { offset: number } | { timestamp: number };
      topics?: string[];
    }
  | { kind: "groups.delete"; group: string }
  | { kind: "connectors.list" }
  | { kind: "connectors.plugins"; all: boolean }
  | { kind: "connectors.create"; name: string; config: Record<string, string>; file?: string }
  | { kind: "connectors.update"; name: string; config: Record<string, string>; file?: string }
  | { kind: "connectors.validate"; plugin: string; config: Record<string, string>; file?: string }
  | {
      kind: "connectors.get";
      name: string;
      what: "describe" | "config" | "status" | "tasks" | "topics" | "offsets";
    }
  | { kind: "connectors.set-state"; name: string; to: "pause" | "resume" | "stop" }
  | { kind: "connectors.restart"; name: string; task?: number; includeTasks: boolean; onlyFailed: boolean }
  | { kind: "connectors.delete"; name: string }
  | { kind: "connectors.alter-offsets"; name: string; file?: string; reset: boolean }
  | { kind: "stats"; intervalMs: number; top: number; once: boolean }
  | {
      kind: "tail";
      topic: string;
      partition?: number;
      format: ValueFormat;
      keySep?: string;
      fromBeginning: boolean;
      decode?: "registry";
      isolation?: IsolationLevel;
    }
  | { kind: "transactions.list"; states?: string[]; producerId?: string }
  | { kind: "transactions.describe"; id: string }
  | { kind: "transactions.describe-producers"; topic: string; partition: number }
  | { kind: "transactions.find-hanging"; topic: string; partition?: number }
  | {
      kind: "transactions.abort";
      topic: string;
      partition: number;
      which: { producerId: string } | { startOffset: number };
    };

export interface Invocation {
  command: Command;
  url: string;
  token?: string;
}

/** Wrong usage: printed as one line plus a pointer to --help, exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
  constructor(
    message: string,
    readonly help: string,
  ) {
    super(message);
  }
}

type Options = NonNullable<ParseArgsConfig["options"]>;

const GLOBAL: Options = {
  url: { type: "string" },
  token: { type: "string" },
  help: { type: "boolean", short: "h" },
};

const GLOBAL_HELP = `Options for every command:
  --url URL        server (default $EDGELOG_URL or ${DEFAULT_URL})
  --token TOKEN    bearer token (default $EDGELOG_TOKEN)
  -h, --help       help for the command`;

const MAIN_HELP = `edgelog: a Kafka-grade commit log on Cloudflare Durable Objects

Usage: edgelog <command> [options]

Commands:
  topics create|list|describe|alter|delete   manage topics
  produce TOPIC                              write stdin lines as records
  consume TOPIC                              print records, one per line
  groups list|describe|reset-offsets|delete  manage consumer groups
  transactions list|describe|describe-producers|find-hanging|abort
                                             see transactions, abort a hanging one
  connectors list|create|status|...          manage connectors (Kafka Connect's REST API)
  tail TOPIC                                 follow new records live (SSE)
  stats                                      busiest partitions and most lagging groups, refreshing (like top)
  kafka-gateway --listen H:P --upstream URL  serve Kafka clients (kcat, kafkajs) over this API (--sasl, --tls-cert/--tls-key: --help)

${GLOBAL_HELP}

Run 'edgelog <command> --help' for a command's options.`;

interface Spec {
  usage: string;
  options: Options;
  positionals: string[];
}

const FORMAT_HELP = `--format F       json, string or binary (base64 lines)`;

const SPECS: Record<string, Spec> = {
  "topics create": {
    usage: `Usage: edgelog topics create NAME [--partitions N] [--config key=value ...]`,
    options: { partitions: { type: "string", short: "p" }, config: { type: "string", short: "c", multiple: true } },
    positionals: ["NAME"],
  },
  "topics list": { usage: "Usage: edgelog topics list", options: {}, positionals: [] },
  "topics describe": { usage: "Usage: edgelog topics describe NAME", options: {}, positionals: ["NAME"] },
  "topics alter": {
    usage: "Usage: edgelog topics alter NAME [--partitions N] [--config key=value ...] [--delete-config key ...]",
    options: {
      partitions: { type: "string", short: "p" },
      config: { type: "string", short: "c", multiple: true },
      "delete-config": { type: "string", multiple: true },
    },
    positionals: ["NAME"],
  },
  "topics delete": { usage: "Usage: edgelog topics delete NAME", options: {}, positionals: ["NAME"] },
  produce: {
    usage: `Usage: edgelog produce TOPIC [options] < lines

Each stdin line is one record. Records without a key spread across partitions,
so use one partition (or keys) when order across all lines matters.
  --key-sep SEP    split each line at the first SEP into key and value (kcat -K)
  ${FORMAT_HELP}; default string
  --partition P    write every record to partition P
  --linger-ms MS   batch records for up to MS ms (default 10)
  --acks 1|all     all: wait for every in-sync geo replica (default 1)
  --no-idempotence plain retries (may duplicate on a lost reply)`,
    options: {
      acks: { type: "string" },
      "key-sep": { type: "string", short: "K" },
      format: { type: "string" },
      partition: { type: "string", short: "p" },
      "linger-ms": { type: "string" },
      "no-idempotence": { type: "boolean" },
    },
    positionals: ["TOPIC"],
  },
  consume: {
    usage: `Usage: edgelog consume TOPIC [options]

Prints each record's value on its own line, and exits at the end of the log
unless --follow is given.
  --group G          consume as member of group G (commits offsets)
  --from-beginning   start at the log start when nothing is committed
  --follow           keep waiting for new records
  --partition P      only partition P (with --offset N to start there)
  --offset N         start offset (needs --partition)
  --key-sep SEP      print key SEP value
  ${FORMAT_HELP}; default string
  --max-messages N   stop after N records
  --replica R        geo-replicated topics: nearest (default), leader, or a region
  --decode registry  show values framed for the schema registry decoded with their schema
  --isolation I      read_committed (default: no aborted or open transactions' records)
                     or read_uncommitted`,
    options: {
      isolation: { type: "string" },
      replica: { type: "string" },
      decode: { type: "string" },
      group: { type: "string", short: "g" },
      "from-beginning": { type: "boolean" },
      follow: { type: "boolean", short: "f" },
      partition: { type: "string", short: "p" },
      offset: { type: "string", short: "o" },
      "key-sep": { type: "string", short: "K" },
      format: { type: "string" },
      "max-messages": { type: "string", short: "n" },
    },
    positionals: ["TOPIC"],
  },
  "groups list": { usage: "Usage: edgelog groups list", options: {}, positionals: [] },
  "groups describe": { usage: "Usage: edgelog groups describe GROUP", options: {}, positionals: ["GROUP"] },
  "groups reset-offsets": {
    usage: `Usage: edgelog groups reset-offsets GROUP --to earliest|latest|OFFSET|TIME [--topic T ...]
  --to earliest|latest, an offset, or a time (ISO 8601 or ms since the epoch, as @MS)
The group must have no members.`,
    options: { to: { type: "string" }, topic: { type: "string", short: "t", multiple: true } },
    positionals: ["GROUP"],
  },
  "groups delete": {
    usage: "Usage: edgelog groups delete GROUP (the group must have no members)",
    options: {},
    positionals: ["GROUP"],
  },
  "connectors list": { usage: "Usage: edgelog connectors list", options: {}, positionals: [] },
  "connectors plugins": {
    usage: "Usage: edgelog connectors plugins [--all]  (--all: transformations and predicates too)",
    options: { all: { type: "boolean" } },
    positionals: [],
  },
  "connectors create": {
    usage: `Usage: edgelog connectors create NAME (--config key=value ... | --file config.json)
  --config key=value  one config key (connector.class, topics, ...); repeat for each
  --file F            a JSON file: the config map, or {"name", "config"} as POST /v1/connectors takes`,
    options: { config: { type: "string", short: "c", multiple: true }, file: { type: "string", short: "f" } },
    positionals: ["NAME"],
  },
  "connectors update": {
    usage: "Usage: edgelog connectors update NAME (--config key=value ... | --file config.json): replaces the config",
    options: { config: { type: "string", short: "c", multiple: true }, file: { type: "string", short: "f" } },
    positionals: ["NAME"],
  },
  "connectors validate": {
    usage: "Usage: edgelog connectors validate PLUGIN (--config key=value ... | --file config.json)",
    options: { config: { type: "string", short: "c", multiple: true }, file: { type: "string", short: "f" } },
    positionals: ["PLUGIN"],
  },
  "connectors describe": { usage: "Usage: edgelog connectors describe NAME", options: {}, positionals: ["NAME"] },
  "connectors config": { usage: "Usage: edgelog connectors config NAME", options: {}, positionals: ["NAME"] },
  "connectors status": { usage: "Usage: edgelog connectors status NAME", options: {}, positionals: ["NAME"] },
  "connectors tasks": { usage: "Usage: edgelog connectors tasks NAME", options: {}, positionals: ["NAME"] },
  "connectors topics": { usage: "Usage: edgelog connectors topics NAME", options: {}, positionals: ["NAME"] },
  "connectors pause": { usage: "Usage: edgelog connectors pause NAME", options: {}, positionals: ["NAME"] },
  "connectors resume": { usage: "Usage: edgelog connectors resume NAME", options: {}, positionals: ["NAME"] },
  "connectors stop": { usage: "Usage: edgelog connectors stop NAME", options: {}, positionals: ["NAME"] },
  "connectors restart": {
    usage: `Usage: edgelog connectors restart NAME [--task N | --include-tasks [--only-failed]]`,
    options: {
      task: { type: "string" },
      "include-tasks": { type: "boolean" },
      "only-failed": { type: "boolean" },
    },
    positionals: ["NAME"],
  },
  "connectors delete": { usage: "Usage: edgelog connectors delete NAME", options: {}, positionals: ["NAME"] },
  "connectors offsets": {
    usage: `Usage: edgelog connectors offsets NAME [--reset | --file offsets.json]
Prints the offsets; --reset or --file (KIP-875's {"offsets": [...]}) change a STOPPED connector's.`,
    options: { reset: { type: "boolean" }, file: { type: "string", short: "f" } },
    positionals: ["NAME"],
  },
  stats: {
    usage: `Usage: edgelog stats [--interval S] [--top N] [--once]

Scrapes /metrics (needs describe on the cluster) every S seconds and shows the busiest
partitions (records in and out per second between two scrapes) and the most lagging groups.
  --interval S   seconds between scrapes (default 2; at least 1)
  --top N        rows per section (default 10)
  --once         print one table (after two scrapes S seconds apart) and exit`,
    options: { interval: { type: "string" }, top: { type: "string" }, once: { type: "boolean" } },
    positionals: [],
  },
  tail: {
    usage: `Usage: edgelog tail TOPIC [--partition P] [--from-beginning] [--key-sep SEP] [--format F]

Follows new records live over Server-Sent Events (default partition 0). --decode registry shows
values framed for the schema registry decoded with their schema. --isolation read_committed
shows only committed records (default read_uncommitted: every record as it is appended).`,
    options: {
      isolation: { type: "string" },
      decode: { type: "string" },
      partition: { type: "string", short: "p" },
      "from-beginning": { type: "boolean" },
      "key-sep": { type: "string", short: "K" },
      format: { type: "string" },
    },
    positionals: ["TOPIC"],
  },
  "transactions list": {
    usage: `Usage: edgelog transactions list [--state S ...] [--producer-id N]

Transactional ids with their state and producer id (as kafka-transactions.sh list).`,
    options: { state: { type: "string", multiple: true }, "producer-id": { type: "string" } },
    positionals: [],
  },
  "transactions describe": {
    usage: "Usage: edgelog transactions describe TRANSACTIONAL_ID",
    options: {},
    positionals: ["TRANSACTIONAL_ID"],
  },
  "transactions describe-producers": {
    usage: `Usage: edgelog transactions describe-producers --topic T --partition P

The partition's open transactions: producer, epoch, first and last offset, how long open.`,
    options: { topic: { type: "string", short: "t" }, partition: { type: "string", short: "p" } },
    positionals: [],
  },
  "transactions find-hanging": {
    usage: `Usage: edgelog transactions find-hanging --topic T [--partition P]

Transactions open longer than transaction.max.timeout.ms (15 minutes) on the topic's partitions,
one per line: topic, partition, producer id, first offset, ms open.`,
    options: { topic: { type: "string", short: "t" }, partition: { type: "string", short: "p" } },
    positionals: [],
  },
  "transactions abort": {
    usage: `Usage: edgelog transactions abort --topic T --partition P (--producer-id N | --start-offset N)

Writes an abort marker for a hanging transaction on that partition alone (needs admin on the topic).`,
    options: {
      topic: { type: "string", short: "t" },
      partition: { type: "string", short: "p" },
      "producer-id": { type: "string" },
      "start-offset": { type: "string" },
    },
    positionals: [],
  },
};

const GROUPS = {
  topics: ["create", "list", "describe", "alter", "delete"],
  groups: ["list", "describe", "reset-offsets", "delete"],
  transactions: ["list", "describe", "describe-producers", "find-hanging", "abort"],
  connectors: [
    "list",
    "plugins",
    "create",
    "update",
    "validate",
    "describe",
    "config",
    "status",
    "tasks",
    "topics",
    "pause",
    "resume",
    "stop",
    "restart",
    "delete",
    "offsets",
  ],
};

export function parseArgv(argv: readonly string[], env: Record<string, string | undefined> = {}): Invocation {
  const first = argv[0];
  if (first === undefined || first === "--help" || first === "-h" || first === "help") return help(MAIN_HELP, env);
  if (first === "--version" || first === "-V") return { command: { kind: "version" }, url: DEFAULT_URL };
  let name = first;
  let rest = argv.slice(1);
  if (first in GROUPS) {
    const sub = argv[1];
    const subs = GROUPS[first as keyof typeof GROUPS];
    const groupHelp = `Usage: edgelog ${first} ${subs.join("|")} ...\n\n${GLOBAL_HELP}`;
    if (sub === undefined || sub === "--help" || sub === "-h") return help(groupHelp, env);
    if (!subs.includes(sub))
      throw new UsageError(`unknown command '${first} ${sub}'; expected one of: ${subs.join(", ")}`, groupHelp);
    name = `${first} ${sub}`;
    rest = argv.slice(2);
  }
  const spec = SPECS[name];
  if (!spec) throw new UsageError(`unknown command '${first}'`, MAIN_HELP);
  const helpText = `${spec.usage}\n\n${GLOBAL_HELP}`;
  let parsed;
  try {
    parsed = parseArgs({
      args: [...rest],
      options: { ...GLOBAL, ...spec.options },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    throw new UsageError(cleanParseError((e as Error).message), helpText);
  }
  const v = parsed.values as Record<string, string | boolean | string[] | undefined>;
  if (v.help) return help(helpText, env);
  const pos = parsed.positionals;
  if (pos.length < spec.positionals.length) throw new UsageError(`missing ${spec.positionals[pos.length]}`, helpText);
  if (pos.length > spec.positionals.length)
    throw new UsageError(`unexpected argument '${pos[spec.positionals.length]}'`, helpText);
  const url = (v.url as string | undefined) ?? env.EDGELOG_URL ?? DEFAULT_URL;
  if (!/^https?:\/\/[^/]/.test(url)) throw new UsageError(`--url must be an http(s) URL, got '${url}'`, helpText);
  const token = (v.token as string | undefined) ?? env.EDGELOG_TOKEN;
  const u = new Usage(helpText);
  const command = build(name, pos, v, u);
  return { command, url, token: token || undefined };
}

function build(
  name: string,
  pos: string[],
  v: Record<string, string | boolean | string[] | undefined>,
  u: Usage,
): Command {
  const str = (k: string) => v[k] as string | undefined;
  const flag = (k: string) => v[k] === true;
  switch (name) {
    case "topics create":
      return {
        kind: "topics.create",
        name: pos[0]!,
        partitions: u.int("--partitions", str("partitions"), 1),
        config: u.config(v.config as string[] | undefined),
      };
    case "topics list":
      return { kind: "topics.list" };
    case "topics describe":
      return { kind: "topics.describe", name: pos[0]! };
    case "topics alter": {
      const config: Record<string, string | null> = u.config(v.config as string[] | undefined);
      for (const k of (v["delete-config"] as string[] | undefined) ?? []) config[k] = null;
      const partitions = u.int("--partitions", str("partitions"), 1);
      if (partitions === undefined && Object.keys(config).length === 0)
        u.fail("nothing to change: give --partitions or --config");
      return { kind: "topics.alter", name: pos[0]!, partitions, config };
    }
    case "topics delete":
      return { kind: "topics.delete", name: pos[0]! };
    case "produce":
      return {
        kind: "produce",
        topic: pos[0]!,
        keySep: u.sep(str("key-sep")),
        format: u.format(str("format")),
        partition: u.int("--partition", str("partition"), 0),
        lingerMs: u.int("--linger-ms", str("linger-ms"), 0) ?? 10,
        idempotent: !flag("no-idempotence"),
        acks: u.acks(str("acks")),
      };
    case "consume": {
      const partition = u.int("--partition", str("partition"), 0);
      const offset = u.int("--offset", str("offset"), 0);
      const group = str("group");
      if (offset !== undefined && partition === undefined) u.fail("--offset needs --partition");
      if (group !== undefined && partition !== undefined)
        u.fail("--partition cannot be combined with --group (the group assigns partitions)");
      return {
        kind: "consume",
        topic: pos[0]!,
        group,
        fromBeginning: flag("from-beginning"),
        follow: flag("follow"),
        partition,
        offset,
        keySep: u.sep(str("key-sep")),
        format: u.format(str("format")),
        maxMessages: u.int("--max-messages", str("max-messages"), 1),
        replica: str("replica"),
        decode: u.decode(str("decode")),
        isolation: u.isolation(str("isolation")),
      };
    }
    case "groups list":
      return { kind: "groups.list" };
    case "groups describe":
      return { kind: "groups.describe", group: pos[0]! };
    case "groups reset-offsets": {
      const to = str("to");
      if (to === undefined) u.fail("missing --to earliest|latest|OFFSET|TIME");
      const topics = v.topic as string[] | undefined;
      return { kind: "groups.reset-offsets", group: pos[0]!, to: u.resetTarget(to!), topics };
    }
    case "groups delete":
      return { kind: "groups.delete", group: pos[0]! };
    case "connectors list":
      return { kind: "connectors.list" };
    case "connectors plugins":
      return { kind: "connectors.plugins", all: flag("all") };
    case "connectors create":
    case "connectors update":
    case "connectors validate": {
      const config = u.config(v.config as string[] | undefined);
      const file = str("file");
      if (file === undefined && Object.keys(config).length === 0)
        u.fail("give the config with --config key=value or --file");
      if (file !== undefined && Object.keys(config).length > 0) u.fail("give --config or --file, not both");
      if (name === "connectors validate") return { kind: "connectors.validate", plugin: pos[0]!, config, file };
      return {
        kind: name === "connectors create" ? "connectors.create" : "connectors.update",
        name: pos[0]!,
        config,
        file,
      };
    }
    case "connectors describe":
    case "connectors config":
    case "connectors status":
    case "connectors tasks":
    case "connectors topics":
      return { kind: "connectors.get", name: pos[0]!, what: name.slice("connectors ".length) as "status" };
    case "connectors pause":
    case "connectors resume":
    case "connectors stop":
      return { kind: "connectors.set-state", name: pos[0]!, to: name.slice("connectors ".length) as "pause" };
    case "connectors restart": {
      const task = u.int("--task", str("task"), 0);
      if (task !== undefined && (flag("include-tasks") || flag("only-failed")))
        u.fail("--task restarts one task; --include-tasks and --only-failed are for the whole connector");
      return {
        kind: "connectors.restart",
        name: pos[0]!,
        task,
        includeTasks: flag("include-tasks"),
        onlyFailed: flag("only-failed"),
      };
    }
    case "connectors delete":
      return { kind: "connectors.delete", name: pos[0]! };
    case "connectors offsets": {
      if (flag("reset") && str("file") !== undefined) u.fail("give --reset or --file, not both");
      return { kind: "connectors.alter-offsets", name: pos[0]!, file: str("file"), reset: flag("reset") };
    }
    case "stats": {
      const seconds = u.int("--interval", str("interval"), 1) ?? 2;
      return {
        kind: "stats",
        intervalMs: seconds * 1000,
        top: u.int("--top", str("top"), 1) ?? 10,
        once: flag("once"),
      };
    }
    case "tail":
      return {
        kind: "tail",
        topic: pos[0]!,
        partition: u.int("--partition", str("partition"), 0),
        format: u.format(str("format")),
        keySep: u.sep(str("key-sep")),
        fromBeginning: flag("from-beginning"),
        decode: u.decode(str("decode")),
        isolation: u.isolation(str("isolation")),
      };
    case "transactions list":
      return {
        kind: "transactions.list",
        states: v.state as string[] | undefined,
        producerId: u.digits("--producer-id", str("producer-id")),
      };
    case "transactions describe":
      return { kind: "transactions.describe", id: pos[0]! };
    case "transactions describe-producers":
      return {
        kind: "transactions.describe-producers",
        topic: u.required("--topic", str("topic")),
        partition: u.int("--partition", u.required("--partition", str("partition")), 0)!,
      };
    case "transactions find-hanging":
      return {
        kind: "transactions.find-hanging",
        topic: u.required("--topic", str("topic")),
        partition: u.int("--partition", str("partition"), 0),
      };
    case "transactions abort": {
      const producerId = u.digits("--producer-id", str("producer-id"));
      const startOffset = u.int("--start-offset", str("start-offset"), 0);
      if ((producerId === undefined) === (startOffset === undefined))
        u.fail("give --producer-id or --start-offset (one of them)");
      return {
        kind: "transactions.abort",
        topic: u.required("--topic", str("topic")),
        partition: u.int("--partition", u.required("--partition", str("partition")), 0)!,
        which: producerId !== undefined ? { producerId } : { startOffset: startOffset! },
      };
    }
  }
  throw new Error(`unhandled command ${name}`);
}

class Usage {
  constructor(private readonly help: string) {}

  fail(message: string): never {
    throw new UsageError(message, this.help);
  }

  int(flag: string, raw: string | undefined, min: number): number | undefined {
    if (raw === undefined) return undefined;
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw)) || Number(raw) < min) {
      this.fail(`${flag} must be an integer >= ${min}, got '${raw}'`);
    }
    return Number(raw);
  }

  required(flag: string, raw: string | undefined): string {
    if (raw === undefined) this.fail(`missing ${flag}`);
    return raw;
  }

  digits(flag: string, raw: string | undefined): string | undefined {
    if (raw !== undefined && !/^\d{1,16}$/.test(raw)) this.fail(`${flag} must be a producer id (digits), got '${raw}'`);
    return raw;
  }

  isolation(raw: string | undefined): IsolationLevel | undefined {
    if (raw === undefined || (ISOLATION_LEVELS as readonly string[]).includes(raw)) return raw as IsolationLevel;
    return this.fail(`--isolation must be ${ISOLATION_LEVELS.join(" or ")}, got '${raw}'`);
  }

  acks(raw: string | undefined): 1 | "all" {
    if (raw === undefined || raw === "1") return 1;
    if (raw === "all" || raw === "-1") return "all";
    this.fail(`--acks must be 1 or all, got '${raw}'`);
  }

  decode(raw: string | undefined): "registry" | undefined {
    if (raw === undefined || raw === "registry") return raw;
    return this.fail(`--decode takes registry, got ${JSON.stringify(raw)}`);
  }

  format(raw: string | undefined): ValueFormat {
    if (raw === undefined) return "string";
    if (!(VALUE_FORMATS as readonly string[]).includes(raw))
      this.fail(`--format must be one of ${VALUE_FORMATS.join(", ")}, got '${raw}'`);
    return raw as ValueFormat;
  }

  sep(raw: string | undefined): string | undefined {
    if (raw === "") this.fail("--key-sep must not be empty");
    // Shells pass "\t" literally; accept the escapes kcat users type.
    return raw?.replace(/\\t/g, "\t").replace(/\\n/g, "\n");
  }

  config(pairs: string[] | undefined): Record<string, string> {
    const out: Record<string, string> = {};
    for (const p of pairs ?? []) {
      const eq = p.indexOf("=");
      if (eq <= 0) this.fail(`--config takes key=value, got '${p}'`);
      out[p.slice(0, eq)] = p.slice(eq + 1);
    }
    return out;
  }

  resetTarget(to: string): "earliest" | "latest" | { offset: number } | { timestamp: number } {
    if (to === "earliest" || to === "latest") return to;
    if (/^\d+$/.test(to)) return { offset: Number(to) };
    if (/^@\d+$/.test(to)) return { timestamp: Number(to.slice(1)) };
    const t = Date.parse(to);
    if (Number.isNaN(t)) this.fail(`--to must be earliest, latest, an offset, @MS or an ISO 8601 time, got '${to}'`);
    return { timestamp: t };
  }
}

function help(text: string, env: Record<string, string | undefined>): Invocation {
  return { command: { kind: "help", text }, url: env.EDGELOG_URL ?? DEFAULT_URL };
}

/** Node's parseArgs messages carry advice for programmers; keep the part a shell user needs. */
function cleanParseError(message: string): string {
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown) return `unknown option '${unknown[1]}'`;
  const missing = /Option '([^']+)' argument missing/.exec(message);
  if (missing) return `option '${missing[1]!.replace(/^-\w, /, "")}' needs a value`;
  return message.split(". ")[0]!.replace(/\.$/, "");
}
