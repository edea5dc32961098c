// A Durable Stream over one partition log: metadata, message boundaries, create/read/head/delete
// and fork sources. Synchronous over injected storage, so a PartitionDO call is one atomic step.

import { EdgelogError, type ErrorCode } from "../protocol/errors.js";
import type {
  CreateStreamRequest,
  DeleteOutcome,
  ForkSource,
  OffsetParam,
  StreamPosition,
  StreamRead,
  StreamReply,
} from "../contracts/durable-streams.js";
import { decodeRecords, encodeBatch } from "../protocol/record-batch.js";
import type { PartitionLog, LogStorage } from "../log/partition-log.js";
import { concat } from "../util/bytes.js";
import {
  badOffset,
  formatOffset,
  H,
  isJsonType,
  START,
  STREAM_FORK_MAX_BYTES,
  STREAM_READ_MAX_BYTES,
} from "./protocol.js";

export interface MetaRow extends Record<string, SqlStorageValue> {
  content_type: string;
  ttl_seconds: number | null;
  expires_at: number | null;
  last_access: number;
  closed: number;
  closed_by: string | null;
  last_seq: string | null;
  forked_from: string | null;
  fork_offset: string | null;
  fork_sub_offset: number;
  fork_refs: number;
  soft_deleted: number;
  tail_bytes: number;
}

/** Why a stream cannot be used; `expired` tells the router to clean its topic up. */
export function streamMissing(name: string, expired = false): EdgelogError {
  return new EdgelogError(
    "UNKNOWN_TOPIC_OR_PARTITION",
    `stream ${name} ${expired ? "has expired" : "does not exist"}`,
    { stream_state: expired ? "expired" : "missing" },
  );
}

export class StreamStore {
  constructor(
    readonly storage: LogStorage,
    readonly log: PartitionLog,
    readonly name: string,
  ) {}

  get sql(): SqlStorage {
    return this.storage.sql;
  }

  meta(): MetaRow | undefined {
    return this.sql.exec<MetaRow>(`SELECT * FROM stream_meta WHERE id = 0`).toArray()[0];
  }

  isExpired(m: MetaRow, now: number): boolean {
    if (m.expires_at !== null && now >= m.expires_at) return true;
    return m.ttl_seconds !== null && now >= m.last_access + m.ttl_seconds * 1000;
  }

  /** The live stream, or the 404/410 that says why there is none. */
  require(now: number): MetaRow {
    const m = this.meta();
    if (!m) throw streamMissing(this.name);
    if (this.isExpired(m, now)) throw streamMissing(this.name, true);
    if (m.soft_deleted) throw new EdgelogError("STREAM_DELETED", `stream ${this.name} was deleted`);
    return m;
  }

  touch(m: MetaRow, now: number): void {
    if (m.ttl_seconds !== null) this.sql.exec(`UPDATE stream_meta SET last_access = ? WHERE id = 0`, now);
  }

  tail(m: MetaRow): StreamPosition {
    return { offset: this.log.state.highWatermark, bytes: m.tail_bytes };
  }

  /** Checks that a token names a message boundary of this stream: 400 for tampered or foreign tokens. */
  checkPosition(p: StreamPosition, m: MetaRow): StreamPosition {
    const tail = this.tail(m);
    if (p.offset > tail.offset || (p.offset === tail.offset && p.bytes !== tail.bytes)) {
      throw badOffset(`${formatOffset(p)} is beyond the stream's tail ${formatOffset(tail)}`);
    }
    if (p.offset === tail.offset || (p.offset === 0 && p.bytes === 0)) return p;
    const row = this.sql
      .exec<{ byte_pos: number }>(`SELECT byte_pos FROM stream_positions WHERE end_offset = ?`, p.offset)
      .toArray()[0];
    if (!row || row.byte_pos !== p.bytes) {
      throw badOffset(
        `${formatOffset(p)} does not name a message boundary of this stream (altered, or from another stream)`,
      );
    }
    return p;
  }

  /** Encodes one message as one batch, refusing (413) before anything is written. */
  encodeMessage(values: Uint8Array[], now: number, maxMessageBytes: number): Uint8Array {
    const batch = encodeBatch(values.map((value) => ({ key: null, value, timestamp: now })));
    if (batch.byteLength > maxMessageBytes) {
      throw new EdgelogError(
        "MESSAGE_TOO_LARGE",
        `append encodes to ${batch.byteLength} bytes, over this stream's limit of ${maxMessageBytes}; split it into smaller appends`,
      );
    }
    return batch;
  }

  /** Appends an encoded message and records its boundary. */
  writeMessage(
    m: MetaRow,
    batch: Uint8Array,
    values: Uint8Array[],
    now: number,
    maxMessageBytes: number,
  ): StreamPosition {
    this.log.append(batch, { timestampType: "CreateTime", maxMessageBytes, now });
    const bytes = m.tail_bytes + values.reduce((n, v) => n + v.byteLength, 0);
    const offset = this.log.state.highWatermark;
    this.sql.exec(`INSERT INTO stream_positions (end_offset, byte_pos) VALUES (?, ?)`, offset, bytes);
    this.sql.exec(`UPDATE stream_meta SET tail_bytes = ? WHERE id = 0`, bytes);
    m.tail_bytes = bytes;
    return { offset, bytes };
  }

  create(req: CreateStreamRequest, values: Uint8Array[], now: number, maxMessageBytes: number): StreamReply {
    const existing = this.meta();
    if (existing && !this.isExpired(existing, now)) return this.#recreate(existing, req);
    if (existing) throw streamMissing(this.name, true);
    const inherited = req.fork?.inherited;
    const prefix = inherited?.prefix ? this.encodeMessage(inherited.prefix, now, maxMessageBytes) : null;
    const body = values.length > 0 ? this.encodeMessage(values, now, maxMessageBytes) : null;
    this.sql.exec(
      `INSERT INTO stream_meta (id, content_type, ttl_seconds, expires_at, last_access, closed, closed_by, last_seq,
         forked_from, fork_offset, fork_sub_offset, fork_refs, soft_deleted, tail_bytes)
       VALUES (0, ?, ?, ?, ?, 0, NULL, NULL, ?, ?, ?, 0, 0, 0)`,
      req.contentType,
      req.ttlSeconds,
      req.expiresAt,
      now,
      req.fork?.source ?? null,
      req.fork?.offsetToken ?? null,
      req.fork?.subOffset ?? 0,
    );
    const m = this.meta()!;
    if (inherited && inherited.batches.length > 0) {
      this.log.append(concat(inherited.batches), { timestampType: "CreateTime", maxMessageBytes, now });
      for (const [end, bytes] of inherited.positions) {
        this.sql.exec(`INSERT INTO stream_positions (end_offset, byte_pos) VALUES (?, ?)`, end, bytes);
      }
      m.tail_bytes = inherited.positions.at(-1)?.[1] ?? 0;
      this.sql.exec(`UPDATE stream_meta SET tail_bytes = ? WHERE id = 0`, m.tail_bytes);
    }
    if (prefix) this.writeMessage(m, prefix, inherited!.prefix!, now, maxMessageBytes);
    if (body) this.writeMessage(m, body, values, now, maxMessageBytes);
    if (req.closed) this.sql.exec(`UPDATE stream_meta SET closed = 1 WHERE id = 0`);
    return this.#createdReply(201, req.contentType, this.tail(m), req.closed);
  }

  #recreate(m: MetaRow, req: CreateStreamRequest): StreamReply {
    if (m.soft_deleted) {
      return conflict(
        "STREAM_DELETED",
        409,
        `stream ${this.name} was deleted but its forks still use it; the path is not free yet`,
      );
    }
    const same =
      m.content_type === req.contentType &&
      m.ttl_seconds === req.ttlSeconds &&
      m.expires_at === req.expiresAt &&
      Boolean(m.closed) === req.closed &&
      m.forked_from === (req.fork?.source ?? null) &&
      m.fork_offset === (req.fork?.offsetToken ?? null) &&
      m.fork_sub_offset === (req.fork?.subOffset ?? 0);
    if (!same) return conflict("STREAM_CONFLICT", 409, `stream ${this.name} already exists with another configuration`);
    return this.#createdReply(200, m.content_type, this.tail(m), Boolean(m.closed));
  }

  #createdReply(status: number, contentType: string, tail: StreamPosition, closed: boolean): StreamReply {
    const headers: Record<string, string> = { "content-type": contentType, [H.nextOffset]: formatOffset(tail) };
    if (closed) headers[H.closed] = "true";
    return { status, headers };
  }

  head(now: number): StreamReply {
    const m = this.require(now);
    const headers: Record<string, string> = {
      "content-type": m.content_type,
      [H.nextOffset]: formatOffset(this.tail(m)),
    };
    if (m.ttl_seconds !== null) headers[H.ttl] = String(m.ttl_seconds);
    if (m.expires_at !== null) headers[H.expiresAt] = new Date(m.expires_at).toISOString();
    if (m.closed) headers[H.closed] = "true";
    return { status: 200, headers };
  }

  /** Reads whole messages from a position; `now` (the offset) reads nothing and answers the tail. */
  read(from: OffsetParam, now: number, maxBytes = STREAM_READ_MAX_BYTES): StreamRead {
    const m = this.require(now);
    this.touch(m, now);
    const tail = this.tail(m);
    const start = from.kind === "now" ? tail : from.kind === "start" ? START : this.checkPosition(from.position, m);
    const out: StreamRead = {
      contentType: m.content_type,
      start: formatOffset(start),
      messages: [],
      next: formatOffset(start),
      tail: formatOffset(tail),
      upToDate: true,
      closed: Boolean(m.closed),
    };
    if (start.offset === tail.offset) return out;
    const result = this.log.read(start.offset, { maxBytes, maxRecords: 1_000_000 });
    let pos = start;
    for (const batch of result.batches) {
      const values = decodeRecords(batch).map((r) => r.value ?? new Uint8Array(0));
      pos = { offset: pos.offset + values.length, bytes: pos.bytes + values.reduce((n, v) => n + v.byteLength, 0) };
      out.messages.push({ values, next: formatOffset(pos) });
    }
    out.next = formatOffset(pos);
    out.upToDate = pos.offset === tail.offset;
    return out;
  }

  delete(now: number): DeleteOutcome {
    const m = this.require(now);
    if (m.fork_refs > 0) {
      this.sql.exec(`UPDATE stream_meta SET soft_deleted = 1 WHERE id = 0`);
      return { destroy: false, forkedFrom: null };
    }
    return { destroy: true, forkedFrom: m.forked_from };
  }

  /** The data a new fork inherits: every message before the fork offset, plus a sub-offset prefix. */
  forkSource(offset: StreamPosition | null, subOffset: number, now: number): ForkSource {
    const m = this.meta();
    if (!m || this.isExpired(m, now)) throw streamMissing(this.name, m !== undefined);
    if (m.soft_deleted)
      throw new EdgelogError("STREAM_CONFLICT", `stream ${this.name} was deleted; it cannot be forked`);
    const tail = this.tail(m);
    const at = offset ? this.checkPosition(offset, m) : tail;
    const source: ForkSource = {
      contentType: m.content_type,
      ttlSeconds: m.ttl_seconds,
      expiresAt: m.expires_at,
      batches: [],
      positions: [],
      prefix: null,
    };
    let size = 0;
    // Streams never truncate, so the log starts at 0 and every batch ends on a boundary.
    for (let from = 0; from < at.offset; ) {
      const r = this.log.read(from, { maxBytes: 1024 * 1024, maxRecords: 1_000_000 });
      const before = from;
      for (const batch of r.batches) {
        const end = decodeRecords(batch).at(-1)!.offset + 1;
        if (end > at.offset) break;
        size += batch.byteLength;
        if (size > STREAM_FORK_MAX_BYTES) {
          throw new EdgelogError(
            "MESSAGE_TOO_LARGE",
            `a fork copies at most ${STREAM_FORK_MAX_BYTES} bytes of its source; fork at an earlier offset`,
          );
        }
        source.batches.push(batch);
        source.positions.push([end, this.#bytesAt(end)]);
        from = end;
      }
      if (from === before) break;
    }
    if (subOffset > 0) source.prefix = this.#prefix(at, subOffset, m);
    return source;
  }

  #bytesAt(end: number): number {
    return this.sql.exec<{ byte_pos: number }>(`SELECT byte_pos FROM stream_positions WHERE end_offset = ?`, end).one()
      .byte_pos;
  }

  #prefix(at: StreamPosition, n: number, m: MetaRow): Uint8Array[] {
    const next = this.log.read(at.offset, { maxBytes: 1, maxRecords: 1_000_000 }).batches[0];
    if (!next)
      throw new EdgelogError(
        "INVALID_OFFSET",
        `${H.forkSubOffset} ${n} needs a message after the fork offset; there is none`,
      );
    const values = decodeRecords(next).map((r) => r.value ?? new Uint8Array(0));
    if (isJsonType(m.content_type)) {
      if (n > values.length) {
        throw new EdgelogError(
          "INVALID_OFFSET",
          `${H.forkSubOffset} ${n} is past the ${values.length} values of the next message`,
        );
      }
      return values.slice(0, n);
    }
    const bytes = concat(values);
    if (n > bytes.byteLength) {
      throw new EdgelogError(
        "INVALID_OFFSET",
        `${H.forkSubOffset} ${n} is past the ${bytes.byteLength} bytes of the next message`,
      );
    }
    return [bytes.slice(0, n)];
  }

  addFork(): void {
    this.sql.exec(`UPDATE stream_meta SET fork_refs = fork_refs + 1 WHERE id = 0`);
  }

  /** A fork went away; a soft-deleted source with no forks left is destroyed (and releases its own source). */
  releaseFork(): DeleteOutcome {
    const m = this.meta();
    if (!m) return { destroy: false, forkedFrom: null };
    const refs = Math.max(0, m.fork_refs - 1);
    this.sql.exec(`UPDATE stream_meta SET fork_refs = ? WHERE id = 0`, refs);
    return refs === 0 && m.soft_deleted
      ? { destroy: true, forkedFrom: m.forked_from }
      : { destroy: false, forkedFrom: null };
  }
}

export function conflict(
  code: ErrorCode,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): StreamReply {
  return { status, headers, error: { code, message } };
}
