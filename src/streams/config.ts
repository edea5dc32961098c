// Application configuration (Kafka's StreamsConfig, camelCased), validated where it is set.

import { DEFAULT_URL } from "../client/transport.js";
import { GROUP_ID_PATTERN } from "../protocol/constants.js";
import { EdgelogError } from "../protocol/errors.js";
import { checkGuarantee, isExactlyOnce, type ProcessingGuarantee } from "./runtime/guarantee.js";
import type { DeserializationExceptionHandler, Logger } from "./runtime/task.js";
import { Serdes, type Serde } from "./serdes.js";

export interface StreamsConfig {
  /** The consumer group of the application's instances, and the prefix of its internal topics. */
  applicationId: string;
  /** Server; default $EDGELOG_URL semantics are the caller's: http://127.0.0.1:8787. */
  url?: string;
  token?: string;
  /** Injected fetch (tests, a Worker's in-process router). */
  fetch?: typeof fetch;
  /**
   * at_least_once (default), or exactly_once (exactly_once_v2 is the same): a transaction per task
   * per commit interval holds its outputs, changelog writes and input offsets (docs/streams.md).
   */
  processingGuarantee?: ProcessingGuarantee;
  /** How often processed offsets are committed (Kafka's commit.interval.ms; default 30000, 100 under exactly_once). */
  commitIntervalMs?: number;
  /** Serdes where a topology names none (default: String keys, JSON values). */
  defaultKeySerde?: Serde<unknown>;
  defaultValueSerde?: Serde<unknown>;
  /** What a record the source serdes cannot read does (default logAndFail, as Kafka's). */
  deserializationExceptionHandler?: DeserializationExceptionHandler;
  /** Static membership (group.instance.id): a restarted instance takes its tasks back at once. */
  instanceId?: string;
  /**
   * The base URL this instance serves interactive queries at (Kafka's application.server). Used as
   * its static membership id too, so other instances can send a query for a key to its host.
   */
  applicationServer?: string;
  sessionTimeoutMs?: number;
  /** Where a partition with no committed offset starts (default earliest, as Kafka Streams). */
  autoOffsetReset?: "earliest" | "latest";
  /** Long-poll of one fetch, ms (default 500). */
  maxWaitMs?: number;
  /**
   * Input and output topics to create at start when they do not exist (name to partitions and
   * config). Without an entry, a missing topic fails the start (internal topics are always created).
   */
  createTopics?: Record<string, TopicSpec>;
  logger?: Logger;
}

export interface TopicSpec {
  partitions?: number;
  config?: Record<string, unknown>;
}

export interface ResolvedConfig {
  applicationId: string;
  url: string;
  token?: string;
  fetch?: typeof fetch;
  processingGuarantee: ProcessingGuarantee;
  commitIntervalMs: number;
  defaultKeySerde: Serde<unknown>;
  defaultValueSerde: Serde<unknown>;
  deserializationExceptionHandler: DeserializationExceptionHandler;
  instanceId?: string;
  applicationServer?: string;
  sessionTimeoutMs?: number;
  autoOffsetReset: "earliest" | "latest";
  maxWaitMs: number;
  createTopics: Record<string, TopicSpec>;
  logger: Logger;
}

const consoleLogger: Logger = {
  warn: (m) => console.warn(`edgelog streams: ${m}`),
  error: (m) => console.error(`edgelog streams: ${m}`),
};

function invalid(message: string): never {
  throw new EdgelogError("INVALID_CONFIG", message);
}

export function resolveConfig(c: StreamsConfig): ResolvedConfig {
  if (typeof c.applicationId !== "string" || !GROUP_ID_PATTERN.test(c.applicationId)) {
    invalid(
      `applicationId must be 1-249 characters of [a-zA-Z0-9._-] (it names a group and topics), got ${JSON.stringify(c.applicationId)}`,
    );
  }
  const processingGuarantee = checkGuarantee(c.processingGuarantee ?? "at_least_once");
  // Kafka's defaults: under exactly_once output is visible only once committed, so commit often.
  const commitIntervalMs = c.commitIntervalMs ?? (isExactlyOnce(processingGuarantee) ? 100 : 30_000);
  if (!Number.isInteger(commitIntervalMs) || commitIntervalMs < 0)
    invalid(`commitIntervalMs must be an integer >= 0, got ${commitIntervalMs}`);
  const h = c.deserializationExceptionHandler ?? "logAndFail";
  if (typeof h !== "function" && h !== "logAndFail" && h !== "logAndContinue") {
    invalid(
      `deserializationExceptionHandler must be "logAndFail", "logAndContinue" or a function, got ${JSON.stringify(h)}`,
    );
  }
  if (c.autoOffsetReset !== undefined && c.autoOffsetReset !== "earliest" && c.autoOffsetReset !== "latest") {
    invalid(`autoOffsetReset must be "earliest" or "latest", got ${JSON.stringify(c.autoOffsetReset)}`);
  }
  if (c.applicationServer !== undefined) {
    try {
      new URL(c.applicationServer);
    } catch {
      invalid(
        `applicationServer must be a URL such as http://10.0.0.5:7070, got ${JSON.stringify(c.applicationServer)}`,
      );
    }
  }
  return {
    applicationId: c.applicationId,
    url: c.url ?? DEFAULT_URL,
    token: c.token,
    fetch: c.fetch,
    processingGuarantee,
    commitIntervalMs,
    defaultKeySerde: c.defaultKeySerde ?? Serdes.String(),
    defaultValueSerde: c.defaultValueSerde ?? Serdes.JSON(),
    deserializationExceptionHandler: h,
    instanceId: c.instanceId ?? c.applicationServer,
    applicationServer: c.applicationServer,
    sessionTimeoutMs: c.sessionTimeoutMs,
    autoOffsetReset: c.autoOffsetReset ?? "earliest",
    maxWaitMs: c.maxWaitMs ?? 500,
    createTopics: c.createTopics ?? {},
    logger: c.logger ?? consoleLogger,
  };
}
