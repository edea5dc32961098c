// JSON Schema and Protobuf compatibility on tables of schema pairs (Confluent's documented
// examples and difference types); Avro's table, checked against avsc, is in avro.test.ts.

import { describe, expect, it } from "vitest";
import { incompatibilities } from "../../src/schemas/compare.js";
import { parseSchema } from "../../src/schemas/formats.js";

const json = (s: unknown) => parseSchema("JSON", JSON.stringify(s));
const obj = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  type: "object",
  properties,
  ...extra,
});
const closed = { additionalProperties: false };

/** [case, writer (old), reader (new), the difference type found, or null when compatible] */
const JSON_SCHEMA: [string, unknown, unknown, string | null][] = [
  ["anything can change to the empty schema", obj({ a: { type: "string" } }), {}, null],
  ["identical", obj({ a: { type: "string" } }), obj({ a: { type: "string" } }), null],
  ["type changed", { type: "string" }, { type: "number" }, "TYPE_CHANGED"],
  ["type narrowed", { type: ["string", "null"] }, { type: "string" }, "TYPE_NARROWED"],
  ["integer extended to number", { type: "integer" }, { type: "number" }, null],
  ["number narrowed to integer", { type: "number" }, { type: "integer" }, "TYPE_NARROWED"],
  ["maxLength added", { type: "string" }, { type: "string", maxLength: 5 }, "MAX_LENGTH_ADDED"],
  ["maxLength increased", { type: "string", maxLength: 5 }, { type: "string", maxLength: 9 }, null],
  ["maxLength decreased", { type: "string", maxLength: 9 }, { type: "string", maxLength: 5 }, "MAX_LENGTH_DECREASED"],
  ["minimum increased", { type: "number", minimum: 0 }, { type: "number", minimum: 1 }, "MINIMUM_INCREASED"],
  ["minimum removed", { type: "number", minimum: 0 }, { type: "number" }, null],
  ["pattern added", { type: "string" }, { type: "string", pattern: "^a" }, "PATTERN_ADDED"],
  ["multipleOf reduced", { type: "number", multipleOf: 4 }, { type: "number", multipleOf: 2 }, null],
  ["multipleOf expanded", { type: "number", multipleOf: 2 }, { type: "number", multipleOf: 4 }, "MULTIPLE_OF_EXPANDED"],
  [
    "optional property added to a closed content model",
    obj({ a: { type: "string" } }, closed),
    obj({ a: { type: "string" }, b: { type: "string" } }, closed),
    null,
  ],
  [
    "required property added to a closed content model",
    obj({ a: { type: "string" } }, closed),
    obj({ a: { type: "string" }, b: { type: "string" } }, { ...closed, required: ["b"] }),
    "REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL",
  ],
  [
    "property added to an open content model",
    obj({ a: { type: "string" } }),
    obj({ a: { type: "string" }, b: { type: "string" } }),
    "PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL",
  ],
  [
    "property removed from an open content model",
    obj({ a: { type: "string" }, b: { type: "string" } }),
    obj({ a: { type: "string" } }),
    null,
  ],
  [
    "property removed from a closed content model",
    obj({ a: { type: "string" }, b: { type: "string" } }, closed),
    obj({ a: { type: "string" } }, closed),
    "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL",
  ],
  [
    "property added where additionalProperties covers it",
    obj({ a: { type: "string" } }, { additionalProperties: { type: "string" } }),
    obj({ a: { type: "string" }, b: { type: "string" } }, { additionalProperties: { type: "string" } }),
    null,
  ],
  ["additionalProperties opened", obj({}, closed), obj({}), null],
  ["additionalProperties closed", obj({}), obj({}, closed), "ADDITIONAL_PROPERTIES_REMOVED"],
  [
    "required attribute added",
    obj({ a: { type: "string" } }),
    obj({ a: { type: "string" } }, { required: ["a"] }),
    "REQUIRED_ATTRIBUTE_ADDED",
  ],
  [
    "required attribute with a default added",
    obj({ a: { type: "string" } }),
    obj({ a: { type: "string", default: "x" } }, { required: ["a"] }),
    null,
  ],
  [
    "required attribute removed",
    obj({ a: { type: "string" } }, { required: ["a"] }),
    obj({ a: { type: "string" } }),
    null,
  ],
  ["enum extended", { enum: ["a", "b"] }, { enum: ["a", "b", "c"] }, null],
  ["enum narrowed", { enum: ["a", "b"] }, { enum: ["a"] }, "ENUM_ARRAY_NARROWED"],
  [
    "items narrowed",
    { type: "array", items: { type: "number" } },
    { type: "array", items: { type: "integer" } },
    "TYPE_NARROWED",
  ],
  ["uniqueItems added", { type: "array" }, { type: "array", uniqueItems: true }, "UNIQUE_ITEMS_ADDED"],
  ["sum type extended", { oneOf: [{ type: "string" }] }, { oneOf: [{ type: "string" }, { type: "number" }] }, null],
  [
    "sum type narrowed",
    { oneOf: [{ type: "string" }, { type: "number" }] },
    { oneOf: [{ type: "string" }] },
    "SUM_TYPE_NARROWED",
  ],
  ["a type widened to a union", { type: "string" }, { oneOf: [{ type: "string" }, { type: "null" }] }, null],
  ["combined type changed", { oneOf: [{ type: "string" }] }, { allOf: [{ type: "string" }] }, "COMBINED_TYPE_CHANGED"],
  [
    "local $ref resolved on both sides",
    { definitions: { n: { type: "integer" } }, $ref: "#/definitions/n" },
    { definitions: { n: { type: "number" } }, $ref: "#/definitions/n" },
    null,
  ],
  // Fails closed: edgelog does not model dependentRequired, so any change to it is incompatible.
  [
    "an unmodelled keyword changed",
    obj({ a: {} }),
    obj({ a: {} }, { dependentRequired: { a: ["b"] } }),
    "UNCHECKED_KEYWORD_CHANGED",
  ],
];

describe("JSON Schema compatibility (the reader accepts every value the writer accepted)", () => {
  it.each(JSON_SCHEMA)("%s", (_name, writer, reader, expected) => {
    const found = incompatibilities(json(reader), json(writer));
    if (expected === null) expect(found).toEqual([]);
    else expect(found.map((f) => f.type)).toContain(expected);
  });
});

const proto = (body: string, pkg = "shop", syntax = "proto3") =>
  parseSchema("PROTOBUF", `syntax = "${syntax}";\npackage ${pkg};\n${body}\n`);

const PROTOBUF: [string, string, string, string | null, string?][] = [
  ["a field added", "message M { string a = 1; }", "message M { string a = 1; int32 b = 2; }", null],
  ["a field removed", "message M { string a = 1; int32 b = 2; }", "message M { string a = 1; }", null],
  ["a field renamed", "message M { string a = 1; }", "message M { string renamed = 1; }", null],
  ["int32 to int64 (same wire type)", "message M { int32 a = 1; }", "message M { int64 a = 1; }", null],
  ["string to bytes", "message M { string a = 1; }", "message M { bytes a = 1; }", null],
  ["int32 to string", "message M { int32 a = 1; }", "message M { string a = 1; }", "FIELD_SCALAR_KIND_CHANGED"],
  [
    "sint32 to int32 (zigzag differs)",
    "message M { sint32 a = 1; }",
    "message M { int32 a = 1; }",
    "FIELD_SCALAR_KIND_CHANGED",
  ],
  [
    "scalar to message",
    "message M { string a = 1; } message N { string x = 1; }",
    "message M { N a = 1; } message N { string x = 1; }",
    "FIELD_KIND_CHANGED",
  ],
  [
    "message type of a field changed",
    "message M { N a = 1; } message N { string x = 1; } message O { string x = 1; }",
    "message M { O a = 1; } message N { string x = 1; } message O { string x = 1; }",
    "FIELD_NAMED_TYPE_CHANGED",
  ],
  [
    "a message removed",
    "message M { string a = 1; } message N { string b = 1; }",
    "message M { string a = 1; }",
    "MESSAGE_REMOVED",
  ],
  ["a message added", "message M { string a = 1; }", "message M { string a = 1; } message N { string b = 1; }", null],
  [
    "an enum value added",
    "message M { E e = 1; } enum E { A = 0; }",
    "message M { E e = 1; } enum E { A = 0; B = 1; }",
    null,
  ],
  ["the package changed", "message M { string a = 1; }", "message M { string a = 1; }", "PACKAGE_CHANGED", "other"],
  [
    "two fields moved into a new oneof",
    "message M { string a = 1; string b = 2; }",
    "message M { oneof o { string a = 1; string b = 2; } }",
    "MULTIPLE_FIELDS_MOVED_TO_ONEOF",
  ],
  [
    "a oneof field removed",
    "message M { oneof o { string a = 1; string b = 2; } }",
    "message M { oneof o { string a = 1; } }",
    "ONEOF_FIELD_REMOVED",
  ],
  [
    "repeated numeric made singular",
    "message M { repeated int32 a = 1; }",
    "message M { int32 a = 1; }",
    "FIELD_NUMERIC_LABEL_CHANGED",
  ],
  ["repeated string made singular", "message M { repeated string a = 1; }", "message M { string a = 1; }", null],
];

describe("Protobuf compatibility (the reader parses what the writer wrote)", () => {
  it.each(PROTOBUF)("%s", (_name, writer, reader, expected, readerPackage) => {
    const found = incompatibilities(proto(reader, readerPackage), proto(writer));
    if (expected === null) expect(found).toEqual([]);
    else expect(found.map((f) => f.type)).toContain(expected);
  });

  it("a proto2 required field added or removed is incompatible", () => {
    const w = proto("message M { optional string a = 1; }", "shop", "proto2");
    const r = proto("message M { optional string a = 1; required int32 b = 2; }", "shop", "proto2");
    expect(incompatibilities(r, w).map((f) => f.type)).toEqual(["REQUIRED_FIELD_ADDED"]);
    expect(incompatibilities(w, r).map((f) => f.type)).toEqual(["REQUIRED_FIELD_REMOVED"]);
  });
});

describe("across types", () => {
  it("a schema of another type is never compatible", () => {
    expect(incompatibilities(json({}), parseSchema("AVRO", '"string"'))[0]?.type).toBe("TYPE_MISMATCH");
  });
});
