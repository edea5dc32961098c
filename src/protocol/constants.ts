// Names and limits defined once: headers, content types, defaults, bounds.

export const CONTENT_TYPE_RECORD_BATCH = "application/vnd.edgelog.record-batch";
export const CONTENT_TYPE_JSON = "application/json";
/** POST /v1/fetch's binary reply (protocol/multi-fetch-frame.ts; framing in docs/http-api.md). */
export const CONTENT_TYPE_MULTI_FETCH = "application/vnd.edgelog.multi-fetch";

export const HEADER_HIGH_WATERMARK = "Edgelog-High-Watermark";
export const HEADER_LOG_START_OFFSET = "Edgelog-Log-Start-Offset";
export const HEADER_NEXT_OFFSET = "Edgelog-Next-Offset";
/** Raw-batch fetches: the first offset of the oldest open transaction, or the high watermark when none is. */
export const HEADER_LAST_STABLE_OFFSET = "Edgelog-Last-Stable-Offset";

/** Bounds on one produce request (documented in the README and OpenAPI). */
export const MAX_RECORDS_PER_REQUEST = 10_000;
export const MAX_REQUEST_BYTES = 16 * 1024 * 1024;

/** Fetch defaults and caps. */
export const FETCH_DEFAULT_MAX_RECORDS = 500;
export const FETCH_MAX_RECORDS_CAP = 10_000;
export const FETCH_DEFAULT_MAX_BYTES = 1024 * 1024;
export const FETCH_MAX_BYTES_CAP = 16 * 1024 * 1024;
export const FETCH_MAX_WAIT_MS = 30_000;

/** Topic shape bounds. */
export const MAX_PARTITIONS = 1024;
export const TOPIC_NAME_PATTERN = /^[a-zA-Z0-9._-]{1,249}$/;

/** SQLite rows hold at most 2 MB; keep one batch (plus its row) comfortably below. */
export const MAX_BATCH_BYTES_CEILING = 1_900_000;

export const VALUE_FORMATS = ["json", "string", "binary"] as const;
export type ValueFormat = (typeof VALUE_FORMATS)[number];

/** Live tail (SSE and WebSocket on the fetch URL). */
export const LIVE_SSE_HEARTBEAT_MS = 15_000;
/** Frames a WebSocket subscriber may leave unacknowledged before the partition stops sending. */
export const LIVE_WINDOW_FRAMES = 16;
/** How long a full window may stand with data waiting before the subscriber is dropped. */
export const LIVE_STALL_MS = 30_000;
/** One live frame holds at most this much (whole batches; at least one). */
export const LIVE_CHUNK_BYTES = 256 * 1024;
export const LIVE_CHUNK_RECORDS = 1_000;
/** WebSocket close codes a live subscriber can act on (4000-4999 is the application range). */
export const LIVE_CLOSE = {
  BAD_MESSAGE: 4000,
  GONE: 4004,
  SLOW: 4008,
  OFFSET_OUT_OF_RANGE: 4016,
  INTERNAL: 4500,
} as const;
/** Carries the topic reference from the router to the partition with a WebSocket upgrade. */
export const HEADER_TOPIC_REF = "Edgelog-Topic-Ref";

/** Consumer groups: session timeout bounds and default (Kafka's group.consumer.*session.timeout.ms). */
export const GROUP_MIN_SESSION_TIMEOUT_MS = 6_000;
export const GROUP_MAX_SESSION_TIMEOUT_MS = 300_000;
export const GROUP_DEFAULT_SESSION_TIMEOUT_MS = 45_000;
/** Default and largest page of the name-ordered listings (GET /v1/groups, GET /v1/topics). */
export const LIST_PAGE_DEFAULT = 100;
export const LIST_PAGE_MAX = 1000;
/** Topics a deployment holds at once unless EDGELOG_MAX_TOPICS says otherwise (Kafka has no such cap; its listings are unpaged). */
export const MAX_TOPICS = 10_000;
/** Kafka's group.consumer.max.size: members per group. */
export const GROUP_MAX_SIZE = 200;
/** Kafka's offset.metadata.max.bytes. */
export const OFFSET_METADATA_MAX_CHARS = 4096;
export const GROUP_ID_PATTERN = /^[a-zA-Z0-9._-]{1,249}$/;
/** Connector names: short enough that the sink group `connect-<name>` is a valid group id. */
export const CONNECTOR_NAME_PATTERN = /^[a-zA-Z0-9._-]{1,200}$/;
/**
 * What a token's grant may name (`topic:`, `group:`, `subject:`, `transactional-id:` and `connector:` each with a
 * name or `<prefix>*`, or `cluster`) and allow.
 */
export const RESOURCE_KINDS = ["topic", "group", "subject", "transactional-id", "connector", "cluster"] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];
/**
 * produce/consume/describe name topic and group operations; read/write/delete/configure schema registry subjects';
 * authenticate (cluster) lets a Kafka gateway verify its clients' SASL sign-ins; admin any.
 */
export const OPERATIONS = [
  "produce",
  "consume",
  "describe",
  "admin",
  "read",
  "write",
  "delete",
  "configure",
  "authenticate",
] as const;
export type Operation = (typeof OPERATIONS)[number];

/** Scoped tokens read `elg_<id>_<secret>`: the id finds the stored hash, the secret is checked against it. */
export const TOKEN_PREFIX = "elg_";
/** A SASL session (a Kafka gateway connection's credential once its client signed in) reads `elgs_<id>_<secret>`. */
export const SASL_SESSION_PREFIX = "elgs_";
/** The query parameter a produce-only token may travel in (for navigator.sendBeacon, which cannot set headers). */
export const QUERY_TOKEN_PARAM = "access_token";
export const HEADER_REPLICA_MISS = "Edgelog-Replica-Miss";
/** Which copy served a read of a geo-replicated topic: `leader` or a region. */
export const HEADER_REPLICA = "Edgelog-Replica";

/** Kafka's isolation.level: what a read may return (docs/transactions.md#reading-isolation-levels). */
export const ISOLATION_LEVELS = ["read_uncommitted", "read_committed"] as const;
export type IsolationLevel = (typeof ISOLATION_LEVELS)[number];

/** Transactional ids are path segments, spelled as group ids. */
export const TRANSACTIONAL_ID_PATTERN = GROUP_ID_PATTERN;
/** Kafka's transaction.timeout.ms default and the broker's transaction.max.timeout.ms. */
export const TRANSACTION_DEFAULT_TIMEOUT_MS = 60_000;
export const TRANSACTION_MAX_TIMEOUT_MS = 900_000;
/** Kafka's transactional.id.expiration.ms: an id idle this long, with nothing open, is forgotten. */
export const TRANSACTIONAL_ID_EXPIRATION_MS = 7 * 24 * 3_600_000;
/** The transaction protocol versions: 1 (KIP-98/447, stable epoch) and 2 (KIP-890 part 2, an epoch per transaction). */
export const TRANSACTION_VERSIONS = [1, 2] as const;
export type TransactionVersion = (typeof TRANSACTION_VERSIONS)[number];
/** Kafka's transaction states, as DescribeTransactions and ListTransactions name them. */
export const TRANSACTION_STATES = [
  "Empty",
  "Ongoing",
  "PrepareCommit",
  "PrepareAbort",
  "CompleteCommit",
  "CompleteAbort",
] as const;
export type TransactionState = (typeof TRANSACTION_STATES)[number];
