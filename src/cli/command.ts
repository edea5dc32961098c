// The CLI's vocabulary: the Command each argv parses into, the Invocation around it, and the
// usage error a wrong argv raises.

import type { IsolationLevel, ValueFormat } from "../protocol/constants.js";

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
