// The error vocabulary: every failure edgelog reports has a Kafka-style code,
// an HTTP status, a retriable flag and a hint at the fix. Rendered in one place
// (router/errors.ts); shared with the SDK so clients can switch on `code`.

export interface ErrorSpec {
  status: number;
  retriable: boolean;
  /** Kafka protocol error code, for the Kafka gateway (-1 when Kafka has none). */
  kafka: number;
  /** What the caller can do about it, appended to messages that lack one. */
  fix?: string;
  /** Confluent Schema Registry's error_code, for replies under /registry (the HTTP status when absent). */
  registry?: number;
  /** Seconds a reply asks the client to wait (Retry-After) unless the error gives its own. */
  retryAfter?: number;
}

export const ERRORS = {
  UNKNOWN_SERVER_ERROR: { status: 500, retriable: false, kafka: -1 },
  INVALID_REQUEST: { status: 400, retriable: false, kafka: 42, fix: "Check the request against /v1/openapi.json." },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    retriable: false,
    kafka: 42,
    fix: "Send application/json, or the binary record-batch type on a partition route.",
  },
  ROUTE_NOT_FOUND: { status: 404, retriable: false, kafka: -1, fix: "See /v1/openapi.json for the routes." },
  METHOD_NOT_ALLOWED: { status: 405, retriable: false, kafka: -1 },
  UNKNOWN_TOPIC_OR_PARTITION: {
    status: 404,
    retriable: false,
    kafka: 3,
    fix: "Create the topic first, or check the partition number.",
  },
  TOPIC_ALREADY_EXISTS: { status: 409, retriable: false, kafka: 36 },
  INVALID_TOPIC_EXCEPTION: {
    status: 400,
    retriable: false,
    kafka: 17,
    fix: "Topic names are 1-249 characters of [a-zA-Z0-9._-], not '.' or '..', and not an existing name with '.' and '_' swapped.",
  },
  INVALID_PARTITIONS: { status: 400, retriable: false, kafka: 37 },
  INVALID_CONFIG: { status: 400, retriable: false, kafka: 40 },
  INVALID_RECORD: { status: 400, retriable: false, kafka: 87 },
  CORRUPT_MESSAGE: {
    status: 400,
    retriable: false,
    kafka: 2,
    fix: "The record batch failed validation (CRC-32C or framing); re-encode it.",
  },
  UNSUPPORTED_COMPRESSION_TYPE: { status: 400, retriable: false, kafka: 76, fix: "Send uncompressed record batches." },
  MESSAGE_TOO_LARGE: {
    status: 413,
    retriable: false,
    kafka: 10,
    fix: "Send smaller records or raise the topic's max.message.bytes.",
  },
  RECORD_LIST_TOO_LARGE: { status: 413, retriable: false, kafka: 18, fix: "Split the request into smaller ones." },
  OFFSET_OUT_OF_RANGE: {
    status: 416,
    retriable: false,
    kafka: 1,
    fix: "Fetch from an offset between log_start_offset and high_watermark.",
  },
  OUT_OF_ORDER_SEQUENCE_NUMBER: { status: 409, retriable: false, kafka: 45 },
  INVALID_PRODUCER_EPOCH: {
    status: 409,
    retriable: false,
    kafka: 47,
    fix: "Another instance re-initialised this producer id; stop this one.",
  },
  UNKNOWN_PRODUCER_ID: { status: 404, retriable: false, kafka: 59, fix: "Get a producer id from POST /v1/producers." },
  INVALID_PRODUCER_ID_MAPPING: {
    status: 400,
    retriable: false,
    kafka: 49,
    fix: "Use the producer id the transactional id's init answered.",
  },
  UNKNOWN_MEMBER_ID: { status: 409, retriable: false, kafka: 25, fix: "Rejoin the group with member_id null." },
  FENCED_MEMBER_EPOCH: { status: 409, retriable: false, kafka: 110, fix: "Rejoin the group with member_epoch 0." },
  STALE_MEMBER_EPOCH: {
    status: 409,
    retriable: false,
    kafka: 113,
    fix: "Heartbeat to learn the current epoch, then retry.",
  },
  ILLEGAL_GENERATION: { status: 409, retriable: false, kafka: 22, fix: "Rejoin the group with member_epoch 0." },
  REBALANCE_IN_PROGRESS: { status: 409, retriable: true, kafka: 27 },
  GROUP_ID_NOT_FOUND: { status: 404, retriable: false, kafka: 69 },
  INVALID_GROUP_ID: { status: 400, retriable: false, kafka: 24 },
  NON_EMPTY_GROUP: { status: 409, retriable: false, kafka: 68, fix: "Stop the group's members first." },
  GROUP_MAX_SIZE_REACHED: {
    status: 409,
    retriable: false,
    kafka: 81,
    fix: "Spread the consumers over more groups, or raise EDGELOG_GROUP_MAX_SIZE.",
  },
  INVALID_SESSION_TIMEOUT: { status: 400, retriable: false, kafka: 26 },
  UNSUPPORTED_ASSIGNOR: { status: 400, retriable: false, kafka: 112 },
  INVALID_COMMIT_OFFSET_SIZE: {
    status: 400,
    retriable: false,
    kafka: 28,
    fix: "Keep offset metadata within 4096 characters.",
  },
  // Kafka has no check of its own here; the gateway reports it as ILLEGAL_GENERATION, which makes a client rejoin.
  PARTITION_NOT_OWNED: {
    status: 409,
    retriable: false,
    kafka: 22,
    fix: "Commit only partitions in your assignment; heartbeat to learn it.",
  },
  // Transactions (docs/transactions.md).
  PRODUCER_FENCED: {
    status: 409,
    retriable: false,
    kafka: 90,
    fix: "A newer init took this transactional id; stop this producer.",
  },
  TRANSACTION_ABORTABLE: {
    status: 409,
    retriable: false,
    kafka: 120,
    fix: "Abort the transaction, then start a new one.",
  },
  INVALID_TXN_STATE: { status: 409, retriable: false, kafka: 48 },
  CONCURRENT_TRANSACTIONS: {
    status: 409,
    retriable: true,
    kafka: 51,
    fix: "The previous transaction is still completing; retry shortly.",
  },
  INVALID_TRANSACTION_TIMEOUT: {
    status: 400,
    retriable: false,
    kafka: 50,
    fix: "Give transaction_timeout_ms between 1 and 900000.",
  },
  TRANSACTIONAL_ID_NOT_FOUND: {
    status: 404,
    retriable: false,
    kafka: 105,
    fix: "Initialise it first (POST /v1/transactions/{id}/init).",
  },
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED: { status: 403, retriable: false, kafka: 53 },
  UNSTABLE_OFFSET_COMMIT: {
    status: 409,
    retriable: true,
    kafka: 88,
    fix: "A transaction holding offsets for these partitions is still open; retry once it ends.",
  },
  NOT_ENOUGH_REPLICAS: { status: 503, retriable: true, kafka: 19 },
  NOT_ENOUGH_REPLICAS_AFTER_APPEND: { status: 503, retriable: true, kafka: 20 },
  INVALID_REPLICA_ASSIGNMENT: { status: 409, retriable: false, kafka: 39 },
  UNAUTHENTICATED: {
    status: 401,
    retriable: false,
    kafka: 58,
    registry: 40101,
    fix: "Send Authorization: Bearer <token>.",
  },
  // SASL for the Kafka gateway (POST /v1/sasl/*): the same answer whatever failed, as Kafka gives.
  SASL_AUTHENTICATION_FAILED: {
    status: 401,
    retriable: false,
    kafka: 58,
    fix: "Sign in with a token's id as the username and its secret (or the whole token) as the password.",
  },
  UNSUPPORTED_SASL_MECHANISM: {
    status: 400,
    retriable: false,
    kafka: 33,
    fix: "Use PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512.",
  },
  ILLEGAL_SASL_STATE: { status: 400, retriable: false, kafka: 34 },
  TOPIC_AUTHORIZATION_FAILED: { status: 403, retriable: false, kafka: 29 },
  GROUP_AUTHORIZATION_FAILED: { status: 403, retriable: false, kafka: 30 },
  CLUSTER_AUTHORIZATION_FAILED: { status: 403, retriable: false, kafka: 31 },
  DELEGATION_TOKEN_NOT_FOUND: { status: 404, retriable: false, kafka: 62, fix: "List tokens with GET /v1/tokens." },
  THROTTLING_QUOTA_EXCEEDED: { status: 429, retriable: true, kafka: 89, fix: "Wait for Retry-After seconds." },
  REQUEST_TIMED_OUT: { status: 503, retriable: true, kafka: 7, fix: "Retry after a short backoff." },
  // An object (a partition's, a group's) is overloaded or restarting. Kafka's LEADER_NOT_AVAILABLE,
  // which every Kafka client retries; not BROKER_NOT_AVAILABLE (8), which Kafka, kafkajs and franz-go do not.
  LEADER_NOT_AVAILABLE: {
    status: 503,
    retriable: true,
    kafka: 5,
    fix: "Retry after a short backoff.",
    retryAfter: 1,
  },
  // R2 unavailable or a segment damaged: an immediate retry would only hit it again.
  KAFKA_STORAGE_ERROR: {
    status: 503,
    retriable: true,
    kafka: 56,
    retryAfter: 1,
    fix: "Retry shortly; if it persists, the stored segment is damaged: an operator can restore it, or consumers can skip to a later offset.",
  },
  POLICY_VIOLATION: { status: 400, retriable: false, kafka: 44 },
  // Durable Streams outcomes without a Kafka counterpart (kafka: -1).
  INVALID_OFFSET: {
    status: 400,
    retriable: false,
    kafka: -1,
    fix: "Read from -1, now, or a Stream-Next-Offset value this stream returned.",
  },
  STREAM_CLOSED: {
    status: 409,
    retriable: false,
    kafka: -1,
    fix: "The stream was closed; it can be read but not appended to.",
  },
  STREAM_DELETED: {
    status: 410,
    retriable: false,
    kafka: -1,
    fix: "The stream was deleted; its forks keep its data until they are deleted.",
  },
  STREAM_CONFLICT: {
    status: 409,
    retriable: false,
    kafka: -1,
    fix: "The stream exists with another configuration; delete it or use another path.",
  },
  INCONSISTENT_CONTENT_TYPE: {
    status: 409,
    retriable: false,
    kafka: -1,
    fix: "Send the Content-Type the stream was created with.",
  },
  // Mirroring between deployments (no Kafka counterpart: MirrorMaker is a client of Kafka, not a protocol).
  MIRROR_NOT_FOUND: { status: 404, retriable: false, kafka: -1, fix: "List mirrors with GET /v1/mirrors." },
  MIRROR_ALREADY_EXISTS: {
    status: 409,
    retriable: false,
    kafka: -1,
    fix: "Pick another name, or DELETE /v1/mirrors/<name> first.",
  },
  MIRROR_OFFSET_MISMATCH: {
    status: 409,
    retriable: false,
    kafka: -1,
    fix: "Resume from the progress the partition holds (its mirror_offset).",
  },
  // Schema registry (Confluent's REST API under /registry; `registry` is Confluent's error_code).
  SUBJECT_NOT_FOUND: {
    status: 404,
    retriable: false,
    kafka: -1,
    registry: 40401,
    fix: "List subjects with GET /registry/subjects.",
  },
  VERSION_NOT_FOUND: {
    status: 404,
    retriable: false,
    kafka: -1,
    registry: 40402,
    fix: "List versions with GET /registry/subjects/{subject}/versions.",
  },
  SCHEMA_NOT_FOUND: { status: 404, retriable: false, kafka: -1, registry: 40403 },
  SUBJECT_SOFT_DELETED: { status: 404, retriable: false, kafka: -1, registry: 40404 },
  SUBJECT_NOT_SOFT_DELETED: {
    status: 404,
    retriable: false,
    kafka: -1,
    registry: 40405,
    fix: "Delete it without ?permanent=true first.",
  },
  SCHEMA_VERSION_SOFT_DELETED: { status: 404, retriable: false, kafka: -1, registry: 40406 },
  SCHEMA_VERSION_NOT_SOFT_DELETED: {
    status: 404,
    retriable: false,
    kafka: -1,
    registry: 40407,
    fix: "Delete it without ?permanent=true first.",
  },
  SUBJECT_COMPATIBILITY_NOT_CONFIGURED: {
    status: 404,
    retriable: false,
    kafka: -1,
    registry: 40408,
    fix: "Add ?defaultToGlobal=true to read the global level.",
  },
  SUBJECT_MODE_NOT_CONFIGURED: {
    status: 404,
    retriable: false,
    kafka: -1,
    registry: 40409,
    fix: "Add ?defaultToGlobal=true to read the global mode.",
  },
  INCOMPATIBLE_SCHEMA: {
    status: 409,
    retriable: false,
    kafka: -1,
    registry: 409,
    fix: "Check it with POST /registry/compatibility/subjects/{subject}/versions/latest?verbose=true.",
  },
  INVALID_SCHEMA: { status: 422, retriable: false, kafka: -1, registry: 42201 },
  INVALID_VERSION: {
    status: 422,
    retriable: false,
    kafka: -1,
    registry: 42202,
    fix: "A version is a positive integer, -1 or latest.",
  },
  INVALID_COMPATIBILITY_LEVEL: {
    status: 422,
    retriable: false,
    kafka: -1,
    registry: 42203,
    fix: "Use BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE or NONE.",
  },
  INVALID_MODE: { status: 422, retriable: false, kafka: -1, registry: 42204, fix: "Use READWRITE or READONLY." },
  OPERATION_NOT_PERMITTED: { status: 422, retriable: false, kafka: -1, registry: 42205 },
  REFERENCE_EXISTS: {
    status: 422,
    retriable: false,
    kafka: -1,
    registry: 42206,
    fix: "Delete the schemas that reference it first.",
  },
  SUBJECT_AUTHORIZATION_FAILED: { status: 403, retriable: false, kafka: -1, registry: 40301 },
  // Leader failover (geo-replication): a copy that is not the leader, or a caller with a stale epoch.
  NOT_LEADER_OR_FOLLOWER: {
    status: 503,
    retriable: true,
    kafka: 6,
    fix: "Refresh metadata and retry: the partition's leader moved or is being elected; nothing was written.",
  },
  FENCED_LEADER_EPOCH: {
    status: 503,
    retriable: true,
    kafka: 74,
    fix: "Refresh metadata and retry: a newer leader epoch exists; nothing was written.",
  },
  ELIGIBLE_LEADERS_NOT_AVAILABLE: {
    status: 409,
    retriable: false,
    kafka: 83,
    fix: "Elect an in-sync replica, or enable unclean.leader.election.enable on the topic and use an unclean election.",
  },
  ELECTION_NOT_NEEDED: { status: 409, retriable: false, kafka: 84 },
  COORDINATOR_NOT_AVAILABLE: {
    status: 503,
    retriable: true,
    kafka: 15,
    fix: "Retry: the gateway answers this while edgelog cannot serve the group.",
  },
  INCONSISTENT_GROUP_PROTOCOL: { status: 409, retriable: false, kafka: 23 },
  UNSUPPORTED_VERSION: { status: 400, retriable: false, kafka: 35 },
  UNSUPPORTED_FOR_MESSAGE_FORMAT: {
    status: 400,
    retriable: false,
    kafka: 43,
    fix: "Produce with v3 or later (RecordBatch v2).",
  },
  MEMBER_ID_REQUIRED: { status: 409, retriable: false, kafka: 79, fix: "Join again with the member id given." },
  SECURITY_DISABLED: {
    status: 400,
    retriable: false,
    kafka: 54,
    fix: "Run edgelog with authentication on (EDGELOG_AUTH) to have grants.",
  },
  INVALID_REGULAR_EXPRESSION: {
    status: 400,
    retriable: false,
    kafka: 128,
    fix: "Subscribe with a valid regular expression that runs in linear time (no nested repetition).",
  },
  UNKNOWN_LEADER_EPOCH: {
    status: 400,
    retriable: true,
    kafka: 75,
    fix: "Retry after a moment: the request names a leader epoch newer than the one known here (an election is being announced).",
  },
  UNKNOWN_TOPIC_ID: { status: 404, retriable: true, kafka: 100, fix: "Refresh metadata for the topic's current id." },
  GROUP_SUBSCRIBED_TO_TOPIC: {
    status: 409,
    retriable: false,
    kafka: 86,
    fix: "Stop the group's members subscribed to the topic first.",
  },
  // Stream processing (edgelog/streams), raised by the library in the application, as Kafka Streams'
  // client-side exceptions are; the statuses serve its interactive-query HTTP handler.
  INVALID_TOPOLOGY: {
    status: 400,
    retriable: false,
    kafka: -1,
    fix: "Fix the topology (docs/streams.md lists what each operator needs).",
  },
  SERIALIZATION_EXCEPTION: {
    status: 400,
    retriable: false,
    kafka: -1,
    fix: 'Fix the record or the serde, or set deserializationExceptionHandler: "logAndContinue" to skip such records.',
  },
  UNKNOWN_STATE_STORE: {
    status: 404,
    retriable: false,
    kafka: -1,
    fix: "Query a store the topology materializes under that name (a named Materialized).",
  },
  STATE_STORE_NOT_AVAILABLE: {
    status: 503,
    retriable: true,
    kafka: -1,
    fix: "The store's partition is restoring or hosted by another instance; retry, or ask the instance that hosts it.",
  },
  // Connectors (Kafka Connect's REST API answers these as 404/409/400 without Kafka codes).
  CONNECTOR_NOT_FOUND: { status: 404, retriable: false, kafka: -1, fix: "List connectors with GET /v1/connectors." },
  CONNECTOR_ALREADY_EXISTS: {
    status: 409,
    retriable: false,
    kafka: -1,
    fix: "Pick another name, or change its config with PUT /v1/connectors/<name>/config.",
  },
  CONNECTOR_PLUGIN_NOT_FOUND: {
    status: 404,
    retriable: false,
    kafka: -1,
    fix: "List the plugins with GET /v1/connector-plugins.",
  },
  CONNECTOR_NOT_STOPPED: {
    status: 400,
    retriable: false,
    kafka: -1,
    fix: "Stop the connector first (PUT /v1/connectors/<name>/stop).",
  },
  CONNECTOR_NOT_RUNNING: {
    status: 503,
    retriable: true,
    kafka: -1,
    retryAfter: 5,
    fix: "The connector is paused, stopped or failed: resume or restart it (GET /v1/connectors/<name>/status says which).",
  },
  UNKNOWN_CONNECTOR_TASK: { status: 404, retriable: false, kafka: -1, fix: "Task ids run 0..tasks.max-1." },
  CONNECTOR_AUTHORIZATION_FAILED: { status: 403, retriable: false, kafka: -1 },
  /** Raised by clients, never by the server: the request did not get an answer. */
  NETWORK_EXCEPTION: {
    status: 503,
    retriable: true,
    kafka: 13,
    fix: "Check that the server is running and reachable (--url or EDGELOG_URL).",
  },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

/** The JSON body shape of every error reply. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
  retriable: boolean;
}

export class EdgelogError extends Error {
  override readonly name = "EdgelogError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra top-level fields for the reply body (e.g. offsets beside OFFSET_OUT_OF_RANGE). */
    readonly extra?: Record<string, unknown>,
    /** Seconds, for 429/503 replies. */
    readonly retryAfter?: number,
  ) {
    super(message);
  }

  get status(): number {
    return ERRORS[this.code].status;
  }

  get retriable(): boolean {
    return ERRORS[this.code].retriable;
  }

  /** The reply body: the message, followed by the code's standard fix when the message does not give one. */
  toBody(): ErrorBody {
    const fix = (ERRORS[this.code] as ErrorSpec).fix;
    const message = fix && !this.message.includes(fix) ? `${this.message}. ${fix}` : this.message;
    return { code: this.code, message, retriable: this.retriable };
  }

  /** Serialisable form for crossing Durable Object RPC (custom Error fields do not survive it). */
  toWire(): WireError {
    const extra = this.extra && wireExtra(this.extra);
    return { code: this.code, message: this.message, extra, retryAfter: this.retryAfter };
  }

  static fromWire(w: WireError): EdgelogError {
    return new EdgelogError(w.code, w.message, w.extra, w.retryAfter);
  }
}

export interface WireError {
  code: ErrorCode;
  message: string;
  extra?: Record<string, WireScalar>;
  retryAfter?: number;
}

/**
 * What an error's extra fields carry across Durable Object RPC: flat data (offsets, names, states).
 * Typed as data rather than `unknown` so that an RPC stub's Result keeps its error branch.
 */
export type WireScalar = string | number | boolean | null;

function wireExtra(extra: Record<string, unknown>): Record<string, WireScalar> {
  const out: Record<string, WireScalar> = {};
  for (const [k, v] of Object.entries(extra)) {
    if (v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean") out[k] = v;
  }
  return out;
}

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === "string" && Object.hasOwn(ERRORS, code);
}

/** Result type for object RPC methods: errors travel as data, not as thrown objects. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: WireError };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail(e: unknown): { ok: false; error: WireError } {
  if (e instanceof EdgelogError) return { ok: false, error: e.toWire() };
  throw e;
}

export function unwrap<T>(r: Result<T>): T {
  if (r.ok) return r.value;
  throw EdgelogError.fromWire(r.error);
}
