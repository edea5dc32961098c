// The Processor API (Kafka's org.apache.kafka.streams.processor.api): what `KStream.process` takes,
// and what every DSL operator is built from.

import type { RecordMetadata, StreamRecord } from "../records.js";
import type { Serde } from "../serdes.js";

export type PunctuationType = "stream_time" | "wall_clock_time";

export interface Cancellable {
  cancel(): void;
}

export interface ProcessorContext<KForward = unknown, VForward = unknown> {
  readonly applicationId: string;
  /** `<subtopology>_<partition>`, as Kafka names tasks. */
  readonly taskId: string;
  /** Where the record being processed was read; null inside a punctuator. */
  recordMetadata(): RecordMetadata | null;
  /** The largest record timestamp this task has seen (-1 before the first). */
  currentStreamTimeMs(): number;
  currentSystemTimeMs(): number;
  /** Passes a record to the children (or to the named child only). */
  forward(record: StreamRecord<KForward, VForward>, childName?: string): void;
  getStateStore<S>(name: string): S;
  /**
   * Calls `punctuator` every `intervalMs`: by stream time (as records advance it, at most once per
   * record) or by wall-clock time (checked between fetches).
   */
  schedule(intervalMs: number, type: PunctuationType, punctuator: (timestamp: number) => void): Cancellable;
}

export interface Processor<KIn = unknown, VIn = unknown, KOut = KIn, VOut = VIn> {
  init?(context: ProcessorContext<KOut, VOut>): void;
  process(record: StreamRecord<KIn, VIn>): void;
  close?(): void;
}

export type ProcessorSupplier<KIn = unknown, VIn = unknown, KOut = KIn, VOut = VIn> = () => Processor<
  KIn,
  VIn,
  KOut,
  VOut
>;

/**
 * What the library's own processors may add: a call after each record that advanced the task's
 * stream time (suppression buffers and outer-join buffers emit what closed).
 */
export interface InternalProcessor<KIn = unknown, VIn = unknown, KOut = KIn, VOut = VIn>
  extends Processor<KIn, VIn, KOut, VOut> {
  init?(context: InternalProcessorContext<KOut, VOut>): void;
  streamTimeAdvanced?(streamTime: number): void;
}

/** The context the library's processors get: the public one plus the application's defaults and logger. */
export interface InternalProcessorContext<KForward = unknown, VForward = unknown>
  extends ProcessorContext<KForward, VForward> {
  readonly defaultKeySerde: Serde<unknown>;
  readonly defaultValueSerde: Serde<unknown>;
  /** Records the library drops on purpose (late, null keys) are reported here. */
  warn(message: string): void;
}
