// Avro in edgelog's own implementation (no code generation, so it runs in workerd), checked
// against avsc, the reference implementation in Node: schema resolution and the binary encoding.

import avsc from "avsc";
import { describe, expect, it } from "vitest";
import { avroIncompatibilities } from "../../src/schemas/avro-compat.js";
import { decodeAvro, encodeAvro } from "../../src/schemas/avro-codec.js";
import { parseAvro } from "../../src/schemas/avro-schema.js";

const rec = (fields: unknown[], name = "myrecord") => ({ type: "record", name, fields });
const f1 = { name: "f1", type: "string" };

/** [case, writer (old), reader (new), reader can read writer's data, the first difference type when not] */
const RESOLUTION: [string, unknown, unknown, boolean, string?][] = [
  ["identical", rec([f1]), rec([f1]), true],
  // Confluent's documented examples (Schema Evolution and Compatibility).
  ["add a field with a default", rec([f1]), rec([f1, { name: "f2", type: "string", default: "foo" }]), true],
  [
    "add a field without a default",
    rec([f1]),
    rec([f1, { name: "f2", type: "string" }]),
    false,
    "READER_FIELD_MISSING_DEFAULT_VALUE",
  ],
  ["delete a field", rec([f1, { name: "f2", type: "string" }]), rec([f1]), true],
  ["promote int to long", rec([{ name: "n", type: "int" }]), rec([{ name: "n", type: "long" }]), true],
  ["demote long to int", rec([{ name: "n", type: "long" }]), rec([{ name: "n", type: "int" }]), false, "TYPE_MISMATCH"],
  ["promote float to double", rec([{ name: "n", type: "float" }]), rec([{ name: "n", type: "double" }]), true],
  ["string to bytes", rec([{ name: "s", type: "string" }]), rec([{ name: "s", type: "bytes" }]), true],
  ["string to int", rec([f1]), rec([{ name: "f1", type: "int" }]), false, "TYPE_MISMATCH"],
  ["make a field nullable", rec([f1]), rec([{ name: "f1", type: ["null", "string"] }]), true],
  [
    "make a nullable field required",
    rec([{ name: "f1", type: ["null", "string"] }]),
    rec([f1]),
    false,
    "TYPE_MISMATCH",
  ],
  [
    "narrow a union",
    { type: "array", items: ["int", "string"] },
    { type: "array", items: ["int", "boolean"] },
    false,
    "MISSING_UNION_BRANCH",
  ],
  [
    "add an enum symbol",
    { type: "enum", name: "E", symbols: ["A", "B"] },
    { type: "enum", name: "E", symbols: ["A", "B", "C"] },
    true,
  ],
  [
    "remove an enum symbol",
    { type: "enum", name: "E", symbols: ["A", "B"] },
    { type: "enum", name: "E", symbols: ["A"] },
    false,
    "MISSING_ENUM_SYMBOLS",
  ],
  [
    "remove an enum symbol with a default",
    { type: "enum", name: "E", symbols: ["A", "B"] },
    { type: "enum", name: "E", symbols: ["A"], default: "A" },
    true,
  ],
  [
    "resize a fixed",
    { type: "fixed", name: "F", size: 4 },
    { type: "fixed", name: "F", size: 8 },
    false,
    "FIXED_SIZE_MISMATCH",
  ],
  ["rename a record", rec([f1], "a"), rec([f1], "b"), false, "NAME_MISMATCH"],
  ["rename a record with an alias", rec([f1], "a"), { ...rec([f1], "b"), aliases: ["a"] }, true],
  ["rename a field with an alias", rec([f1]), rec([{ name: "g1", type: "string", aliases: ["f1"] }]), true],
  ["map values widened", { type: "map", values: "int" }, { type: "map", values: "double" }, true],
  ["array to map", { type: "array", items: "int" }, { type: "map", values: "int" }, false, "TYPE_MISMATCH"],
  [
    "recursive list gains a defaulted field",
    rec(
      [
        { name: "v", type: "int" },
        { name: "next", type: ["null", "node"] },
      ],
      "node",
    ),
    rec(
      [
        { name: "v", type: "int" },
        { name: "next", type: ["null", "node"] },
        { name: "w", type: "int", default: 0 },
      ],
      "node",
    ),
    true,
  ],
  ["reader union reads a plain writer", "string", ["null", "string"], true],
  ["writer union not covered", ["null", "string"], "string", false, "TYPE_MISMATCH"],
];

describe("Avro schema resolution (the reader reads the writer's data)", () => {
  it.each(RESOLUTION)("%s", (_name, writer, reader, compatible, firstType) => {
    const found = avroIncompatibilities(parseAvro(JSON.stringify(reader)), parseAvro(JSON.stringify(writer)));
    expect(found.length === 0).toBe(compatible);
    if (firstType) expect(found[0]?.type).toBe(firstType);
    // The oracle: avsc builds a resolver exactly when the reader can read the writer's data.
    let avscCompatible = true;
    try {
      avsc.Type.forSchema(reader as avsc.Schema).createResolver(avsc.Type.forSchema(writer as avsc.Schema));
    } catch {
      avscCompatible = false;
    }
    expect(avscCompatible).toBe(compatible);
  });
});

describe("Avro schema parsing", () => {
  it.each([
    ["not JSON", "{", "not JSON"],
    ["an unknown type", '"strin"', "undefined name"],
    ["a record without fields", '{"type":"record","name":"r"}', "fields"],
    ["a bad default", JSON.stringify(rec([{ name: "n", type: "int", default: "x" }])), "invalid default"],
    ["a duplicate field", JSON.stringify(rec([f1, f1])), "duplicate field"],
    ["a union inside a union", '[["int"]]', "unions"],
    ["an illegal name", JSON.stringify(rec([f1], "my-record")), "illegal name"],
  ])("refuses %s", (_name, text, message) => {
    expect(() => parseAvro(text)).toThrow(message);
  });

  it("resolves names a referenced schema defines", () => {
    const names = new Map();
    parseAvro(JSON.stringify({ type: "record", name: "Address", namespace: "shop", fields: [f1] }), names);
    const t = parseAvro(JSON.stringify(rec([{ name: "a", type: "shop.Address" }])), names);
    expect(t.kind === "record" && t.fields[0]!.type.kind).toBe("record");
  });
});

describe("Avro binary encoding, against avsc", () => {
  const schema = {
    type: "record",
    name: "Order",
    namespace: "shop",
    fields: [
      { name: "id", type: "long" },
      { name: "big", type: "long" },
      { name: "qty", type: "int" },
      { name: "price", type: "double" },
      { name: "ratio", type: "float" },
      { name: "ok", type: "boolean" },
      { name: "note", type: ["null", "string"] },
      { name: "tags", type: { type: "array", items: "string" } },
      { name: "attrs", type: { type: "map", values: "int" } },
      { name: "state", type: { type: "enum", name: "State", symbols: ["NEW", "PAID"] } },
      { name: "hash", type: { type: "fixed", name: "Hash", size: 2 } },
      { name: "raw", type: "bytes" },
    ],
  };
  const value = {
    id: -123456789012,
    big: 2 ** 50,
    qty: -3,
    price: 12.5,
    ratio: 0.5,
    ok: true,
    note: "ünïcødé",
    tags: ["a", "b"],
    attrs: { x: 1, y: -2 },
    state: "PAID",
    hash: "\u0001\u00ff",
    raw: "\u0000\u0010",
  };
  const type = avsc.Type.forSchema(schema as avsc.Schema, { wrapUnions: false });
  const avscValue = { ...value, hash: Buffer.from([1, 255]), raw: Buffer.from([0, 16]) };

  it("decodes what avsc encodes", () => {
    expect(decodeAvro(parseAvro(JSON.stringify(schema)), new Uint8Array(type.toBuffer(avscValue)))).toEqual(value);
  });

  it("encodes what avsc decodes, byte for byte", () => {
    const mine = encodeAvro(parseAvro(JSON.stringify(schema)), value);
    expect(Buffer.from(mine).equals(type.toBuffer(avscValue))).toBe(true);
  });

  it("takes wrapped unions and refuses values the schema does not allow", () => {
    const t = parseAvro(JSON.stringify(schema));
    expect(encodeAvro(t, { ...value, note: { string: "ünïcødé" } })).toEqual(encodeAvro(t, value));
    expect(() => encodeAvro(t, { ...value, qty: "three" })).toThrow("qty: expected an int");
    expect(() => encodeAvro(t, { ...value, state: "LOST" })).toThrow("one of NEW, PAID");
  });

  it("refuses truncated data", () => {
    const bytes = type.toBuffer(avscValue);
    expect(() => decodeAvro(parseAvro(JSON.stringify(schema)), new Uint8Array(bytes.subarray(0, 10)))).toThrow(
      "truncated",
    );
  });
});
