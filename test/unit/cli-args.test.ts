import { describe, expect, it } from "vitest";
import { parseArgv } from "../../src/cli/args.js";
import { UsageError } from "../../src/cli/command.js";
import { DEFAULT_URL } from "../../src/cli/specs.js";

const usage = (argv: string[]) => {
  try {
    parseArgv(argv);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as UsageError).message;
  }
  throw new Error(`expected a usage error for ${argv.join(" ")}`);
};

describe("CLI argv parsing", () => {
  it("reads the server and token from flags, then the environment, then the default", () => {
    expect(parseArgv(["topics", "list"])).toEqual({
      command: { kind: "topics.list" },
      url: DEFAULT_URL,
      token: undefined,
    });
    const env = { EDGELOG_URL: "http://env:1", EDGELOG_TOKEN: "envtok" };
    expect(parseArgv(["topics", "list"], env)).toMatchObject({ url: "http://env:1", token: "envtok" });
    expect(parseArgv(["topics", "list", "--url", "https://x.example", "--token", "t"], env)).toMatchObject({
      url: "https://x.example",
      token: "t",
    });
  });

  it("parses topic admin commands with partitions and config pairs", () => {
    expect(
      parseArgv([
        "topics",
        "create",
        "orders",
        "-p",
        "3",
        "--config",
        "retention.ms=1000",
        "-c",
        "cleanup.policy=compact",
      ]).command,
    ).toEqual({
      kind: "topics.create",
      name: "orders",
      partitions: 3,
      config: { "retention.ms": "1000", "cleanup.policy": "compact" },
    });
    expect(parseArgv(["topics", "alter", "orders", "--delete-config", "retention.ms"]).command).toEqual({
      kind: "topics.alter",
      name: "orders",
      partitions: undefined,
      config: { "retention.ms": null },
    });
    expect(parseArgv(["topics", "delete", "orders"]).command).toEqual({ kind: "topics.delete", name: "orders" });
  });

  it("parses produce and consume options like kcat's", () => {
    expect(parseArgv(["produce", "t", "-K", "\\t", "--format", "json"]).command).toEqual({
      kind: "produce",
      topic: "t",
      keySep: "\t",
      format: "json",
      partition: undefined,
      lingerMs: 10,
      idempotent: true,
      acks: 1,
    });
    expect(parseArgv(["produce", "t", "--acks", "all"]).command).toMatchObject({ acks: "all" });
    expect(parseArgv(["consume", "t", "--replica", "weur"]).command).toMatchObject({ replica: "weur" });
    expect(parseArgv(["consume", "t", "--decode", "registry"]).command).toMatchObject({ decode: "registry" });
    expect(parseArgv(["tail", "t", "--decode", "registry"]).command).toMatchObject({ decode: "registry" });
    expect(() => parseArgv(["consume", "t", "--decode", "avro"])).toThrow(/--decode takes registry/);
    expect(parseArgv(["consume", "t", "--group", "g", "--from-beginning", "--follow"]).command).toMatchObject({
      kind: "consume",
      topic: "t",
      group: "g",
      fromBeginning: true,
      follow: true,
      format: "string",
    });
    expect(parseArgv(["consume", "t", "--partition", "2", "--offset", "40"]).command).toMatchObject({
      partition: 2,
      offset: 40,
    });
  });

  it("parses group commands, including every reset target", () => {
    expect(parseArgv(["groups", "reset-offsets", "g", "--to", "earliest"]).command).toMatchObject({ to: "earliest" });
    expect(parseArgv(["groups", "reset-offsets", "g", "--to", "42", "--topic", "a", "-t", "b"]).command).toMatchObject({
      to: { offset: 42 },
      topics: ["a", "b"],
    });
    expect(parseArgv(["groups", "reset-offsets", "g", "--to", "@1700000000000"]).command).toMatchObject({
      to: { timestamp: 1700000000000 },
    });
    expect(parseArgv(["groups", "reset-offsets", "g", "--to", "2024-01-01T00:00:00Z"]).command).toMatchObject({
      to: { timestamp: Date.UTC(2024, 0, 1) },
    });
  });

  it("parses connector commands: configs as pairs or a file, restarts, offsets", () => {
    expect(
      parseArgv(["connectors", "create", "hook", "-c", "connector.class=http-source", "-c", "topic=t"]),
    ).toMatchObject({
      command: {
        kind: "connectors.create",
        name: "hook",
        config: { "connector.class": "http-source", topic: "t" },
        file: undefined,
      },
    });
    expect(parseArgv(["connectors", "update", "hook", "-f", "c.json"]).command).toEqual({
      kind: "connectors.update",
      name: "hook",
      config: {},
      file: "c.json",
    });
    expect(parseArgv(["connectors", "validate", "r2-sink", "--config", "flush.size=10"]).command).toMatchObject({
      kind: "connectors.validate",
      plugin: "r2-sink",
      config: { "flush.size": "10" },
    });
    expect(parseArgv(["connectors", "status", "hook"]).command).toEqual({
      kind: "connectors.get",
      name: "hook",
      what: "status",
    });
    expect(parseArgv(["connectors", "stop", "hook"]).command).toEqual({
      kind: "connectors.set-state",
      name: "hook",
      to: "stop",
    });
    expect(parseArgv(["connectors", "restart", "hook", "--include-tasks", "--only-failed"]).command).toEqual({
      kind: "connectors.restart",
      name: "hook",
      task: undefined,
      includeTasks: true,
      onlyFailed: true,
    });
    expect(parseArgv(["connectors", "restart", "hook", "--task", "2"]).command).toMatchObject({ task: 2 });
    expect(parseArgv(["connectors", "offsets", "hook", "--reset"]).command).toEqual({
      kind: "connectors.alter-offsets",
      name: "hook",
      file: undefined,
      reset: true,
    });
    expect(usage(["connectors", "create", "hook"])).toMatch(/give the config with --config key=value or --file/);
    expect(usage(["connectors", "create", "hook", "-c", "a=b", "-f", "x.json"])).toMatch(/not both/);
    expect(usage(["connectors", "restart", "hook", "--task", "1", "--include-tasks"])).toMatch(/--task restarts one/);
    expect(usage(["connectors", "offsets", "hook", "--reset", "-f", "o.json"])).toMatch(/not both/);
    expect(usage(["connectors", "launch", "hook"])).toMatch(/unknown command 'connectors launch'/);
  });

  it("answers --help at every level", () => {
    for (const argv of [
      [],
      ["--help"],
      ["topics"],
      ["topics", "--help"],
      ["topics", "create", "--help"],
      ["produce", "-h"],
      ["groups", "reset-offsets", "--help"],
      ["tail", "--help"],
    ]) {
      const { command } = parseArgv(argv);
      expect(command.kind).toBe("help");
      expect((command as { text: string }).text).toMatch(/Usage: edgelog/);
    }
  });

  it("rejects bad input with one line a shell user can act on", () => {
    expect(usage(["consume", "t", "--bogus"])).toBe("unknown option '--bogus'");
    expect(usage(["produce"])).toBe("missing TOPIC");
    expect(usage(["frobnicate"])).toBe("unknown command 'frobnicate'");
    expect(usage(["topics", "rename", "x"])).toMatch(/unknown command 'topics rename'; expected one of/);
    expect(usage(["consume", "t", "--offset", "5"])).toBe("--offset needs --partition");
    expect(usage(["consume", "t", "--partition", "-1"])).toMatch(/--partition|needs a value/);
    expect(usage(["produce", "t", "--format", "xml"])).toBe("--format must be one of json, string, binary, got 'xml'");
    expect(usage(["topics", "create", "t", "--partitions", "zero"])).toBe(
      "--partitions must be an integer >= 1, got 'zero'",
    );
    expect(usage(["topics", "create", "t", "--config", "novalue"])).toBe("--config takes key=value, got 'novalue'");
    expect(usage(["topics", "list", "--url", "localhost:8787"])).toMatch(/--url must be an http\(s\) URL/);
    expect(usage(["topics", "describe", "a", "b"])).toBe("unexpected argument 'b'");
    expect(usage(["groups", "reset-offsets", "g"])).toMatch(/missing --to/);
    expect(usage(["produce", "t", "--acks", "2"])).toBe("--acks must be 1 or all, got '2'");
    for (const m of [usage(["consume", "t", "--bogus"]), usage(["produce"])]) expect(m).not.toContain("\n");
  });

  it("parses the transactions commands (kafka-transactions.sh's) and --isolation", () => {
    expect(parseArgv(["transactions", "list", "--state", "Ongoing", "--state", "PrepareCommit"]).command).toEqual({
      kind: "transactions.list",
      states: ["Ongoing", "PrepareCommit"],
      producerId: undefined,
    });
    expect(parseArgv(["transactions", "describe", "app-1"]).command).toEqual({
      kind: "transactions.describe",
      id: "app-1",
    });
    expect(parseArgv(["transactions", "find-hanging", "--topic", "t"]).command).toEqual({
      kind: "transactions.find-hanging",
      topic: "t",
      partition: undefined,
    });
    expect(parseArgv(["transactions", "describe-producers", "-t", "t", "-p", "2"]).command).toEqual({
      kind: "transactions.describe-producers",
      topic: "t",
      partition: 2,
    });
    expect(
      parseArgv(["transactions", "abort", "--topic", "t", "--partition", "1", "--producer-id", "123"]).command,
    ).toEqual({ kind: "transactions.abort", topic: "t", partition: 1, which: { producerId: "123" } });
    expect(
      parseArgv(["transactions", "abort", "--topic", "t", "--partition", "1", "--start-offset", "40"]).command,
    ).toMatchObject({ which: { startOffset: 40 } });
    expect(usage(["transactions", "abort", "--topic", "t", "--partition", "1"])).toBe(
      "give --producer-id or --start-offset (one of them)",
    );
    expect(usage(["transactions", "describe-producers", "--topic", "t"])).toBe("missing --partition");
    expect(usage(["transactions", "list", "--producer-id", "x1"])).toMatch(/--producer-id must be a producer id/);
    expect(parseArgv(["consume", "t", "--isolation", "read_uncommitted"]).command).toMatchObject({
      isolation: "read_uncommitted",
    });
    expect(parseArgv(["tail", "t", "--isolation", "read_committed"]).command).toMatchObject({
      isolation: "read_committed",
    });
    expect(usage(["consume", "t", "--isolation", "committed"])).toBe(
      "--isolation must be read_uncommitted or read_committed, got 'committed'",
    );
  });
});
