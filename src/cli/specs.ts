// Every command's flags, positionals and usage text, and the options every command takes.

import type { ParseArgsConfig } from "node:util";

export const DEFAULT_URL = "http://127.0.0.1:8787";

type Options = NonNullable<ParseArgsConfig["options"]>;

export const GLOBAL: Options = {
  url: { type: "string" },
  token: { type: "string" },
  help: { type: "boolean", short: "h" },
};

export const GLOBAL_HELP = `Options for every command:
  --url URL        server (default $EDGELOG_URL or ${DEFAULT_URL})
  --token TOKEN    bearer token (default $EDGELOG_TOKEN)
  -h, --help       help for the command`;

export const MAIN_HELP = `edgelog: a Kafka-grade commit log on Cloudflare Durable Objects

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

export interface Spec {
  usage: string;
  options: Options;
  positionals: string[];
}

const FORMAT_HELP = `--format F       json, string or binary (base64 lines)`;

export const SPECS: Record<string, Spec> = {
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

export const GROUPS = {
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
