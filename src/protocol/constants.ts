// Names and limits defined once: headers, content types, defaults, bounds.

export const CONTENT_TYPE_RECORD_BATCH = "application/vnd.edgelog.record-batch";
export const CONTENT_TYPE_JSON = "application/json";

export const HEADER_HIGH_WATERMARK = "Edgelog-High-Watermark";
export const HEADER_LOG_START_OFFSET = "Edgelog-Log-Start-Offset";
export const HEADER_NEXT_OFFSET = "Edgelog-Next-Offset";

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

/** Consumer groups: session timeout bounds and default (Kafka's group.consumer.*session.timeout.ms). */
export const GROUP_MIN_SESSION_TIMEOUT_MS = 6_000;
export const GROUP_MAX_SESSION_TIMEOUT_MS = 300_000;
export const GROUP_DEFAULT_SESSION_TIMEOUT_MS = 45_000;
/** Kafka's offset.metadata.max.bytes. */
export const OFFSET_METADATA_MAX_CHARS = 4096;
export const GROUP_ID_PATTERN = /^[a-zA-Z0-9._-]{1,249}$/;
