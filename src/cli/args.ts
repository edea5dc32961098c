// argv -> a Command, with no I/O: which command, its positionals and flags built into the Command's
// fields. The flags, defaults and usage texts are specs.ts; the value checks usage.ts.

import { parseArgs } from "node:util";
import { UsageError, type Command, type Invocation } from "./command.js";
import { DEFAULT_URL, GLOBAL, GLOBAL_HELP, GROUPS, MAIN_HELP, SPECS } from "./specs.js";
import { Usage } from "./usage.js";

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
