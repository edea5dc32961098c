// A table-driven Kafka wire codec: message layouts are lists of fields tagged with the versions
// that carry them (as in Kafka's JSON message specs), read and written by one generic walker.

export type Scalar =
  | "int8"
  | "int16"
  | "uint16"
  | "int32"
  | "int64"
  | "float64"
  | "bool"
  | "uuid"
  | "string"
  | "string?"
  | "bytes"
  | "bytes?"
  | "records";
/** An array, a struct (a field list), or a nullable struct (written after an int8 presence marker). */
export type FieldType = Scalar | { array: FieldType; nullable?: boolean } | Struct | { struct: Struct };
export interface Field {
  name: string;
  type: FieldType;
  min: number;
  max: number;
  /** A tagged field (KIP-482): written in its struct's tag section, only when set, only in flexible versions. */
  tag?: number;
  /** The value written when a handler leaves the field out (Kafka's "default"; 0, "" or [] otherwise). */
  default?: number | boolean;
}
export type Struct = Field[];

/** A message schema: fields plus the first flexible (KIP-482) version, if any. */
export interface Schema {
  fields: Struct;
  flexibleFrom: number;
}

/**
 * A field: `versions` is "N+", "N-M" (inclusive) or "N", as in Kafka's specs.
 * Example: f("ThrottleTimeMs", "int32", "1+"); f("NodeEndpoints", arrayOf(...), "16+", { tag: 0 }).
 */
export function f(name: string, type: FieldType, versions = "0+", opts: Pick<Field, "tag" | "default"> = {}): Field {
  const m = /^(\d+)(\+|-(\d+))?$/.exec(versions);
  if (!m) throw new Error(`bad versions ${versions} for ${name}`);
  const min = Number(m[1]);
  const max = m[2] === "+" ? Infinity : m[3] === undefined ? min : Number(m[3]);
  return { name, type, min, max, ...opts };
}

export function arrayOf(type: FieldType, nullable = false): FieldType {
  return { array: type, nullable };
}

/** A struct that may be null (Kafka's nullableVersions on a struct field). */
export function nullable(fields: Struct): FieldType {
  return { struct: fields };
}

export function schema(fields: Struct, flexibleFrom = Infinity): Schema {
  return { fields, flexibleFrom };
}

export class ProtocolError extends Error {
  override readonly name = "ProtocolError";
}

export type Value = Record<string, unknown>;

export class Reader {
  #view: DataView;
  #pos = 0;
  constructor(
    readonly buf: Uint8Array,
    pos = 0,
  ) {
    this.#view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.#pos = pos;
  }
  get pos(): number {
    return this.#pos;
  }
  get remaining(): number {
    return this.buf.byteLength - this.#pos;
  }
  #need(n: number): number {
    if (n < 0 || this.#pos + n > this.buf.byteLength)
      throw new ProtocolError(`truncated message at byte ${this.#pos} (need ${n})`);
    const at = this.#pos;
    this.#pos += n;
    return at;
  }
  int8(): number {
    return this.#view.getInt8(this.#need(1));
  }
  int16(): number {
    return this.#view.getInt16(this.#need(2));
  }
  int32(): number {
    return this.#view.getInt32(this.#need(4));
  }
  int64(): number {
    return Number(this.#view.getBigInt64(this.#need(8)));
  }
  uint16(): number {
    return this.#view.getUint16(this.#need(2));
  }
  float64(): number {
    return this.#view.getFloat64(this.#need(8));
  }
  uvarint(): number {
    let v = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.#view.getUint8(this.#need(1));
      v += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return v;
    }
    throw new ProtocolError("varint too long");
  }
  raw(n: number): Uint8Array {
    const at = this.#need(n);
    return this.buf.subarray(at, at + n);
  }
  /** A length (int16/int32, or compact uvarint minus one); -1 means null. */
  length(compact: boolean, wide: boolean): number {
    if (compact) return this.uvarint() - 1;
    return wide ? this.int32() : this.int16();
  }
  skipTags(): void {
    const n = this.uvarint();
    for (let i = 0; i < n; i++) {
      this.uvarint();
      this.raw(this.uvarint());
    }
  }
}

/** UUIDs travel as 16 bytes; handlers see edgelog's form, the lower-case 8-4-4-4-12 hex string. */
export const ZERO_UUID = "00000000-0000-0000-0000-000000000000";

function uuidString(b: Uint8Array): string {
  const h = Buffer.from(b).toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function uuidBytes(s: string): Uint8Array {
  const hex = s.replaceAll("-", "");
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new ProtocolError(`not a UUID: ${JSON.stringify(s)}`);
  return Buffer.from(hex, "hex");
}

export class Writer {
  #buf = new Uint8Array(256);
  #view = new DataView(this.#buf.buffer);
  #len = 0;
  #room(n: number): number {
    if (this.#len + n > this.#buf.byteLength) {
      const next = new Uint8Array(Math.max(this.#buf.byteLength * 2, this.#len + n));
      next.set(this.#buf.subarray(0, this.#len));
      this.#buf = next;
      this.#view = new DataView(next.buffer);
    }
    const at = this.#len;
    this.#len += n;
    return at;
  }
  int8(v: number): this {
    const at = this.#room(1);
    this.#view.setInt8(at, v);
    return this;
  }
  int16(v: number): this {
    const at = this.#room(2);
    this.#view.setInt16(at, v);
    return this;
  }
  int32(v: number): this {
    const at = this.#room(4);
    this.#view.setInt32(at, v);
    return this;
  }
  int64(v: number): this {
    const at = this.#room(8);
    this.#view.setBigInt64(at, BigInt(v));
    return this;
  }
  uint16(v: number): this {
    const at = this.#room(2);
    this.#view.setUint16(at, v);
    return this;
  }
  float64(v: number): this {
    const at = this.#room(8);
    this.#view.setFloat64(at, v);
    return this;
  }
  uvarint(v: number): this {
    // #room may replace the buffer: take the position before touching this.#buf.
    while (v >= 0x80) {
      const at = this.#room(1);
      this.#buf[at] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    const at = this.#room(1);
    this.#buf[at] = v;
    return this;
  }
  raw(bytes: Uint8Array): this {
    const at = this.#room(bytes.byteLength);
    this.#buf.set(bytes, at);
    return this;
  }
  length(n: number, compact: boolean, wide: boolean): this {
    if (compact) return this.uvarint(n + 1);
    return wide ? this.int32(n) : this.int16(n);
  }
  bytes(): Uint8Array {
    return this.#buf.subarray(0, this.#len);
  }
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

function inVersion(field: Field, version: number): boolean {
  return version >= field.min && version <= field.max;
}

export function decode(s: Schema, version: number, r: Reader): Value {
  return readStruct(s.fields, version, version >= s.flexibleFrom, r);
}

export function encode(s: Schema, version: number, value: Value, w = new Writer()): Writer {
  writeStruct(s.fields, version, version >= s.flexibleFrom, value, w);
  return w;
}

function readStruct(fields: Struct, version: number, flexible: boolean, r: Reader): Value {
  const out: Value = {};
  for (const field of fields)
    if (field.tag === undefined && inVersion(field, version))
      out[field.name] = readType(field.type, version, flexible, r);
  if (flexible) readTags(fields, version, r, out);
  return out;
}

/** A struct's tag section: known tags decoded into `out`, unknown ones skipped (as Kafka does). */
function readTags(fields: Struct, version: number, r: Reader, out: Value): void {
  const n = r.uvarint();
  let last = -1;
  for (let i = 0; i < n; i++) {
    const tag = r.uvarint();
    if (tag <= last) throw new ProtocolError(`tagged fields out of order (${tag} after ${last})`);
    last = tag;
    const size = r.uvarint();
    const body = r.raw(size);
    const field = fields.find((f) => f.tag === tag && inVersion(f, version));
    if (!field) continue;
    const inner = new Reader(body);
    out[field.name] = readType(field.type, version, true, inner);
    if (inner.remaining !== 0) throw new ProtocolError(`tagged field ${field.name} has ${inner.remaining} extra bytes`);
  }
}

function readType(type: FieldType, version: number, flexible: boolean, r: Reader): unknown {
  if (Array.isArray(type)) return readStruct(type, version, flexible, r);
  if (typeof type === "object" && "struct" in type) {
    return r.int8() < 0 ? null : readStruct(type.struct, version, flexible, r);
  }
  if (typeof type === "object") {
    const n = r.length(flexible, true);
    if (n < 0) {
      if (!type.nullable) throw new ProtocolError("null array where none is allowed");
      return null;
    }
    // Every element takes at least one byte: a count beyond the bytes left is a lie.
    if (n > r.remaining) throw new ProtocolError(`array of ${n} elements in ${r.remaining} bytes`);
    const items: unknown[] = [];
    for (let i = 0; i < n; i++) items.push(readType(type.array, version, flexible, r));
    return items;
  }
  switch (type) {
    case "int8":
      return r.int8();
    case "int16":
      return r.int16();
    case "int32":
      return r.int32();
    case "int64":
      return r.int64();
    case "uint16":
      return r.uint16();
    case "float64":
      return r.float64();
    case "bool":
      return r.int8() !== 0;
    case "uuid":
      return uuidString(r.raw(16));
    case "string":
    case "string?": {
      const n = r.length(flexible, false);
      if (n < 0) {
        if (type === "string") throw new ProtocolError("null string where none is allowed");
        return null;
      }
      return fromUtf8.decode(r.raw(n));
    }
    case "bytes":
    case "bytes?":
    case "records": {
      const n = r.length(flexible, true);
      if (n < 0) {
        if (type === "bytes") throw new ProtocolError("null bytes where none are allowed");
        return null;
      }
      return r.raw(n);
    }
  }
}

function writeStruct(fields: Struct, version: number, flexible: boolean, value: Value, w: Writer): void {
  for (const field of fields) {
    if (field.tag !== undefined || !inVersion(field, version)) continue;
    // Only a missing value takes the default: null is a value (a null array is not an empty one).
    const v = value[field.name];
    writeType(field.type, version, flexible, v === undefined ? field.default : v, w);
  }
  if (!flexible) return;
  // Tagged fields are written only when set, in tag order, each as tag, size, value.
  const tagged = fields
    .filter(
      (f) => f.tag !== undefined && inVersion(f, version) && value[f.name] !== undefined && value[f.name] !== null,
    )
    .sort((a, b) => a.tag! - b.tag!);
  w.uvarint(tagged.length);
  for (const field of tagged) {
    const body = new Writer();
    writeType(field.type, version, true, value[field.name], body);
    const bytes = body.bytes();
    w.uvarint(field.tag!).uvarint(bytes.byteLength).raw(bytes);
  }
}

function writeType(type: FieldType, version: number, flexible: boolean, v: unknown, w: Writer): void {
  if (Array.isArray(type)) {
    writeStruct(type, version, flexible, (v ?? {}) as Value, w);
    return;
  }
  if (typeof type === "object" && "struct" in type) {
    if (v === null || v === undefined) {
      w.int8(-1);
      return;
    }
    w.int8(1);
    writeStruct(type.struct, version, flexible, v as Value, w);
    return;
  }
  if (typeof type === "object") {
    if (v === null && type.nullable) {
      w.length(-1, flexible, true);
      return;
    }
    const items = (v ?? []) as unknown[];
    w.length(items.length, flexible, true);
    for (const item of items) writeType(type.array, version, flexible, item, w);
    return;
  }
  switch (type) {
    case "int8":
      w.int8(Number(v ?? 0));
      return;
    case "int16":
      w.int16(Number(v ?? 0));
      return;
    case "int32":
      w.int32(Number(v ?? 0));
      return;
    case "int64":
      w.int64(Number(v ?? 0));
      return;
    case "uint16":
      w.uint16(Number(v ?? 0));
      return;
    case "float64":
      w.float64(Number(v ?? 0));
      return;
    case "bool":
      w.int8(v ? 1 : 0);
      return;
    case "uuid":
      w.raw(uuidBytes(String(v ?? ZERO_UUID)));
      return;
    case "string":
    case "string?": {
      if (v === null || (v === undefined && type === "string?")) {
        w.length(-1, flexible, false);
        return;
      }
      const bytes = utf8.encode(String(v ?? ""));
      w.length(bytes.byteLength, flexible, false).raw(bytes);
      return;
    }
    case "bytes":
    case "bytes?":
    case "records": {
      // Records are never written as null: librdkafka rejects a null record set (MessageSetSize -1).
      if ((v === null || v === undefined) && type === "bytes?") {
        w.length(-1, flexible, true);
        return;
      }
      const bytes = (v ?? new Uint8Array(0)) as Uint8Array;
      w.length(bytes.byteLength, flexible, true).raw(bytes);
      return;
    }
  }
}

/** One API's request and response layouts. */
export interface Messages {
  request: Schema;
  response: Schema;
}
