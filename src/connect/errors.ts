// Error handling as Kafka Connect's errors.* settings define it: retry retriable failures within
// errors.retry.timeout (waits doubling up to errors.retry.delay.max.ms), then fail the task
// (errors.tolerance=none) or skip the record (all), reporting it to the dead letter queue with
// Kafka's context headers.

import { HostedFailure } from "../host/kinds.js";
import type { ConnectHeader, ConnectRecord, SourcePosition } from "./record.js";
import { RetriableException } from "./record.js";

/** Kafka's Stage: where in the pipeline a record failed. */
export type Stage =
  | "KEY_CONVERTER"
  | "VALUE_CONVERTER"
  | "HEADER_CONVERTER"
  | "TRANSFORMATION"
  | "TASK_PUT"
  | "TASK_POLL"
  | "KAFKA_PRODUCE"
  | "KAFKA_CONSUME";

export interface ErrorSettings {
  tolerance: "none" | "all";
  /** ms; 0 = no retries, -1 = forever. */
  retryTimeoutMs: number;
  retryDelayMaxMs: number;
  dlqTopic: string | null;
  dlqContextHeaders: boolean;
  /** errors.deadletterqueue.exactly.once: DLQ records and offset commits in one transaction. */
  dlqExactlyOnce: boolean;
  logEnable: boolean;
}

/** A task gives up: errors.tolerance=none met a failure, or retries ran out. The host shows it FAILED. */
export class ConnectTaskFailure extends HostedFailure {
  override name = "ConnectException";
  constructor(
    message: string,
    readonly stage: Stage,
    override readonly cause?: unknown,
  ) {
    super(message);
  }
}

/** Kafka's context header names (DeadLetterQueueReporter). */
export const DLQ_HEADERS = {
  topic: "__connect.errors.topic",
  partition: "__connect.errors.partition",
  offset: "__connect.errors.offset",
  connector: "__connect.errors.connector.name",
  task: "__connect.errors.task.id",
  stage: "__connect.errors.stage",
  className: "__connect.errors.class.name",
  exceptionClass: "__connect.errors.exception.class.name",
  exceptionMessage: "__connect.errors.exception.message",
  exceptionStacktrace: "__connect.errors.exception.stacktrace",
} as const;

export interface FailureContext {
  connector: string;
  task: number;
  stage: Stage;
  /** The class whose work failed: the converter, transform or connector. */
  className: string;
  error: unknown;
  position?: SourcePosition;
}

export function errorClassName(e: unknown): string {
  if (e instanceof Error) {
    if (e.name === "DataException") return "org.apache.kafka.connect.errors.DataException";
    if (e.name === "RetriableException") return "org.apache.kafka.connect.errors.RetriableException";
    if (e.name === "ConnectException") return "org.apache.kafka.connect.errors.ConnectException";
    return e.name;
  }
  return "Error";
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function stackTrace(e: unknown): string {
  if (e instanceof Error) return e.stack ?? `${errorClassName(e)}: ${e.message}`;
  return String(e);
}

/** Kafka's DLQ context headers for a failed record (when errors.deadletterqueue.context.headers.enable). */
export function contextHeaders(ctx: FailureContext): ConnectHeader[] {
  const h: ConnectHeader[] = [];
  if (ctx.position) {
    h.push({ key: DLQ_HEADERS.topic, value: ctx.position.topic });
    h.push({ key: DLQ_HEADERS.partition, value: String(ctx.position.partition) });
    h.push({ key: DLQ_HEADERS.offset, value: String(ctx.position.offset) });
  }
  h.push({ key: DLQ_HEADERS.connector, value: ctx.connector });
  h.push({ key: DLQ_HEADERS.task, value: String(ctx.task) });
  h.push({ key: DLQ_HEADERS.stage, value: ctx.stage });
  h.push({ key: DLQ_HEADERS.className, value: ctx.className });
  h.push({ key: DLQ_HEADERS.exceptionClass, value: errorClassName(ctx.error) });
  h.push({ key: DLQ_HEADERS.exceptionMessage, value: errorMessage(ctx.error) });
  h.push({ key: DLQ_HEADERS.exceptionStacktrace, value: stackTrace(ctx.error) });
  return h;
}

/** Waits before retry `attempt` (0-based): 300 ms doubling, capped (Kafka's RetryWithToleranceOperator). */
export function retryDelayMs(attempt: number, maxMs: number): number {
  return Math.min(300 * 2 ** attempt, maxMs);
}

export type Sleep = (ms: number) => Promise<void>;

/**
 * Runs `op`, retrying RetriableExceptions while errors.retry.timeout allows (a Retry-After the
 * failure carries is honoured, within the cap); any other failure, or the last retriable one, is
 * thrown to the caller to tolerate or fail on.
 */
export async function withRetries<T>(
  op: () => Promise<T>,
  settings: Pick<ErrorSettings, "retryTimeoutMs" | "retryDelayMaxMs">,
  sleep: Sleep,
  now: () => number = Date.now,
): Promise<T> {
  const deadline = settings.retryTimeoutMs < 0 ? Number.POSITIVE_INFINITY : now() + settings.retryTimeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await op();
    } catch (e) {
      if (!(e instanceof RetriableException)) throw e;
      const wait = Math.min(
        e.retryAfterMs ?? retryDelayMs(attempt, settings.retryDelayMaxMs),
        settings.retryDelayMaxMs,
      );
      if (now() + wait > deadline) throw e;
      await sleep(wait);
    }
  }
}

/** A record that failed, with what the DLQ needs. */
export interface Errant {
  record: ConnectRecord;
  /** The record's original bytes, as Kafka's DLQ keeps them (not the converted data). */
  raw?: { key: Uint8Array | null; value: Uint8Array | null; headers: ConnectHeader[]; timestamp: number | null };
  context: FailureContext;
}

/**
 * What happens to a failed record: errors.tolerance=none fails the task; all skips it and
 * reports it to the DLQ (when one is set). Returns the DLQ entry to produce, if any.
 */
export function tolerate(settings: ErrorSettings, errant: Errant): Errant | null {
  if (settings.tolerance === "none") {
    throw new ConnectTaskFailure(
      `Tolerance exceeded in error handler: ${errant.context.stage} failed for ${errant.context.className}: ${errorMessage(errant.context.error)}`,
      errant.context.stage,
      errant.context.error,
    );
  }
  if (settings.logEnable) {
    console.warn(
      `connector ${errant.context.connector} task ${errant.context.task}: skipped a record (${errant.context.stage}): ${errorMessage(errant.context.error)}`,
    );
  }
  return settings.dlqTopic ? errant : null;
}
