// edgelog/streams: a Kafka Streams-style stream processing library over edgelog's consumer groups
// and producer, with changelog-backed state, windows, joins, a test driver and a Worker mode.

export { StreamsBuilder } from "./dsl/builder.js";
export { KStream } from "./dsl/kstream.js";
export { BranchedKStream } from "./dsl/branched.js";
export { KTable, GlobalKTable } from "./dsl/ktable.js";
export { KGroupedStream, KGroupedTable } from "./dsl/grouped.js";
export { TimeWindowedKStream, SessionWindowedKStream } from "./dsl/windowed.js";
export { Suppressed } from "./dsl/options.js";
export type {
  Branched,
  Consumed,
  Grouped,
  Joined,
  Materialized,
  Produced,
  Repartitioned,
  StoreBuilder,
  Suppression,
} from "./dsl/options.js";
export { TimeWindows, SessionWindows, JoinWindows } from "./windows.js";
export { Serdes, type Serde, type SerdeDefaults } from "./serdes.js";
export type { Change, Headers, RecordMetadata, StreamRecord, Window, Windowed } from "./records.js";
export type {
  Cancellable,
  Processor,
  ProcessorContext,
  ProcessorSupplier,
  PunctuationType,
} from "./processors/api.js";
export type {
  KeyValue,
  KeyValueStore,
  ReadOnlyKeyValueStore,
  ReadOnlySessionStore,
  ReadOnlyWindowStore,
  SessionStore,
  WindowStore,
  WindowEntry,
} from "./state/stores.js";
export { Topology } from "./topology/topology.js";
export type { TimestampExtractor } from "./topology/specs.js";
export {
  TopologyTestDriver,
  TestInputTopic,
  TestOutputTopic,
  type TestDriverOptions,
  type TestRecord,
} from "./test-driver.js";
export type { DeserializationExceptionHandler, Logger } from "./runtime/task.js";
export { KafkaStreams, type StreamsState } from "./runtime/kafka-streams.js";
export type { StreamsConfig } from "./config.js";
export type { ProcessingGuarantee } from "./runtime/guarantee.js";
export { nodeListener, queryHandler } from "./query.js";
export { EdgelogError } from "../protocol/errors.js";
