// Avro's binary encoding, read into JSON and written from it by walking the schema model (no
// generated code). Unions read as the bare branch value, bytes and fixed as Avro's JSON strings
// (one code point per byte), longs as numbers (decimal strings beyond 2^53).

import type { AvroType } from "./avro-schema.js";
import { branchKey } from "./avro-schema.js";
import { SchemaError } from "./errors.js";

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
const encoder = new TextEncoder();

export function decodeAvro(type: AvroType, bytes: Uint8Array): unknown {
  const r = new Reader(bytes);
  const value = read(type, r);
  if (r.pos !== bytes.byteLength) throw new SchemaError(`${bytes.byteLength - r.pos} bytes left after the Avro datum`);
  return value;
}

class Reader {
  pos = 0;
  readonly view: DataView;
  constructor(readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  need(n: number): void {
    if (this.pos + n > this.buf.byteLength) throw new SchemaError("truncated Avro datum");
  }

  long(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      this.need(1);
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
      shift += 7n;
      if (shift > 63n) throw new SchemaError("Avro varint longer than 10 bytes");
    }
    return (result >> 1n) ^ -(result & 1n);
  }

  int(): number {
    return Number(this.long());
  }

  bytes(): Uint8Array {
    const n = this.int();
    if (n < 0) throw new SchemaError("negative Avro length");
    this.need(n);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

function read(t: AvroType, r: Reader): unknown {
  switch (t.kind) {
    case "primitive":
      switch (t.type) {
        case "null":
          return null;
        case "boolean":
          r.need(1);
          return r.buf[r.pos++] === 1;
        case "int":
          return r.int();
        case "long": {
          const n = r.long();
          return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : String(n);
        }
        case "float":
          r.need(4);
          r.pos += 4;
          return r.view.getFloat32(r.pos - 4, true);
        case "double":
          r.need(8);
          r.pos += 8;
          return r.view.getFloat64(r.pos - 8, true);
        case "bytes":
          return latin1(r.bytes());
        case "string":
          try {
            return utf8.decode(r.bytes());
          } catch {
            throw new SchemaError("Avro string is not UTF-8");
          }
      }
      return null;
    case "record": {
      const out: Record<string, unknown> = {};
      for (const f of t.fields) out[f.name] = read(f.type, r);
      return out;
    }
    case "enum": {
      const i = r.int();
      const s = t.symbols[i];
      if (s === undefined) throw new SchemaError(`enum ${t.name} has no symbol ${i}`);
      return s;
    }
    case "fixed": {
      r.need(t.size);
      r.pos += t.size;
      return latin1(r.buf.subarray(r.pos - t.size, r.pos));
    }
    case "array": {
      const out: unknown[] = [];
      blocks(r, () => out.push(read(t.items, r)));
      return out;
    }
    case "map": {
      const out: Record<string, unknown> = {};
      blocks(r, () => {
        const k = read({ kind: "primitive", type: "string" }, r) as string;
        out[k] = read(t.values, r);
      });
      return out;
    }
    case "union": {
      const i = r.int();
      const b = t.branches[i];
      if (!b) throw new SchemaError(`union has no branch ${i}`);
      return read(b, r);
    }
  }
}

/** Arrays and maps come in blocks: a count (negative: followed by a byte size), items, until a zero count. */
function blocks(r: Reader, item: () => void): void {
  for (;;) {
    let n = r.int();
    if (n === 0) return;
    if (n < 0) {
      n = -n;
      r.int();
    }
    for (let i = 0; i < n; i++) item();
  }
}

function latin1(b: Uint8Array): string {
  let s = "";
  for (const x of b) s += String.fromCharCode(x);
  return s;
}

/** Encodes a JSON value (as decodeAvro returns it; a union also as {"branch": value}) in Avro's binary encoding. */
export function encodeAvro(type: AvroType, value: unknown): Uint8Array {
  const out: number[] = [];
  write(type, value, out, "");
  return new Uint8Array(out);
}

function writeLong(n: bigint, out: number[]): void {
  let z = (n << 1n) ^ (n >> 63n);
  z &= (1n << 64n) - 1n;
  while (z >= 0x80n) {
    out.push(Number(z & 0x7fn) | 0x80);
    z >>= 7n;
  }
  out.push(Number(z));
}

function writeBytes(b: Uint8Array, out: number[]): void {
  writeLong(BigInt(b.byteLength), out);
  for (const x of b) out.push(x);
}

function fromLatin1(s: string, path: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 255) throw new SchemaError(`${path || "value"}: bytes are written as a string of code points 0-255`);
    b[i] = c;
  }
  return b;
}

function write(t: AvroType, v: unknown, out: number[], path: string): void {
  const fail = (want: string): never => {
    throw new SchemaError(`${path || "value"}: expected ${want}, got ${JSON.stringify(v)?.slice(0, 40)}`);
  };
  switch (t.kind) {
    case "primitive":
      switch (t.type) {
        case "null":
          if (v !== null) fail("null");
          return;
        case "boolean":
          if (typeof v !== "boolean") fail("a boolean");
          out.push(v ? 1 : 0);
          return;
        case "int":
          if (!Number.isInteger(v) || (v as number) < -(2 ** 31) || (v as number) >= 2 ** 31) fail("an int");
          writeLong(BigInt(v as number), out);
          return;
        case "long":
          if (Number.isInteger(v)) writeLong(BigInt(v as number), out);
          else if (typeof v === "string" && /^-?\d+$/.test(v)) writeLong(BigInt(v), out);
          else if (typeof v === "bigint") writeLong(v, out);
          else fail("a long");
          return;
        case "float":
        case "double": {
          if (typeof v !== "number") fail("a number");
          const b = new Uint8Array(t.type === "float" ? 4 : 8);
          const view = new DataView(b.buffer);
          if (t.type === "float") view.setFloat32(0, v as number, true);
          else view.setFloat64(0, v as number, true);
          for (const x of b) out.push(x);
          return;
        }
        case "bytes":
          if (v instanceof Uint8Array) writeBytes(v, out);
          else if (typeof v === "string") writeBytes(fromLatin1(v, path), out);
          else fail("bytes");
          return;
        case "string":
          if (typeof v !== "string") fail("a string");
          writeBytes(encoder.encode(v as string), out);
          return;
      }
      return;
    case "record": {
      if (v === null || typeof v !== "object" || Array.isArray(v)) fail(`a ${t.name} record`);
      const o = v as Record<string, unknown>;
      for (const f of t.fields) {
        const fv = f.name in o && o[f.name] !== undefined ? o[f.name] : f.default ? f.default.value : undefined;
        if (fv === undefined)
          throw new SchemaError(`${path ? `${path}.` : ""}${f.name}: missing, and the field has no default`);
        write(f.type, fv, out, path ? `${path}.${f.name}` : f.name);
      }
      return;
    }
    case "enum": {
      const i = typeof v === "string" ? t.symbols.indexOf(v) : -1;
      if (i < 0) fail(`one of ${t.symbols.join(", ")}`);
      writeLong(BigInt(i), out);
      return;
    }
    case "fixed": {
      const b = v instanceof Uint8Array ? v : typeof v === "string" ? fromLatin1(v, path) : fail("fixed bytes");
      if (b.byteLength !== t.size) fail(`${t.size} bytes`);
      for (const x of b) out.push(x);
      return;
    }
    case "array":
      if (!Array.isArray(v)) fail("an array");
      if ((v as unknown[]).length > 0) {
        writeLong(BigInt((v as unknown[]).length), out);
        (v as unknown[]).forEach((item, i) => write(t.items, item, out, `${path}[${i}]`));
      }
      out.push(0);
      return;
    case "map": {
      if (v === null || typeof v !== "object" || Array.isArray(v)) fail("a map (object)");
      const entries = Object.entries(v as Record<string, unknown>);
      if (entries.length > 0) {
        writeLong(BigInt(entries.length), out);
        for (const [k, item] of entries) {
          writeBytes(encoder.encode(k), out);
          write(t.values, item, out, `${path}.${k}`);
        }
      }
      out.push(0);
      return;
    }
    case "union": {
      // Wrapped ({"string": "x"}, Avro's JSON encoding) names its branch; a bare value takes the first branch it fits.
      if (v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Uint8Array)) {
        const keys = Object.keys(v);
        const i =
          keys.length === 1 ? t.branches.findIndex((b) => branchKey(b) === keys[0] || shortKey(b) === keys[0]) : -1;
        if (i >= 0) {
          writeLong(BigInt(i), out);
          write(t.branches[i]!, (v as Record<string, unknown>)[keys[0]!], out, path);
          return;
        }
      }
      for (let i = 0; i < t.branches.length; i++) {
        const attempt: number[] = [];
        try {
          write(t.branches[i]!, v, attempt, path);
        } catch {
          continue;
        }
        writeLong(BigInt(i), out);
        out.push(...attempt);
        return;
      }
      fail(`a value of one of the union's branches (${t.branches.map(branchKey).join(", ")})`);
    }
  }
}

function shortKey(t: AvroType): string {
  const k = branchKey(t);
  return k.slice(k.lastIndexOf(".") + 1);
}
