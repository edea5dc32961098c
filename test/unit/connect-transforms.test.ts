// Single message transforms and predicates, configured as Kafka Connect users write them (the cases
// follow Kafka's and Confluent's documented examples), applied to schemaless records.

import { describe, expect, it } from "vitest";
import type { RawConfig } from "../../src/connect/config.js";
import type { ConnectRecord } from "../../src/connect/record.js";
import { buildChain } from "../../src/connect/transforms/chain.js";

const T = "org.apache.kafka.connect.transforms";
const P = `${T}.predicates`;

function rec(over: Partial<ConnectRecord> = {}): ConnectRecord {
  return {
    topic: "orders",
    partition: 2,
    key: null,
    value: null,
    timestamp: 1767225600000, // 2026-01-01T00:00:00Z
    headers: [],
    original: { topic: "orders", partition: 2, offset: 41 },
    ...over,
  };
}

function chain(config: RawConfig) {
  const errors: Record<string, string[]> = {};
  const c = buildChain(config, errors);
  expect(errors).toEqual({});
  return c!;
}

function problems(config: RawConfig) {
  const errors: Record<string, string[]> = {};
  expect(buildChain(config, errors)).toBeNull();
  return errors;
}

describe("InsertField", () => {
  it("adds a static field (Kafka's docs: data_source = test-file-source)", () => {
    const c = chain({
      transforms: "InsertSource",
      "transforms.InsertSource.type": `${T}.InsertField$Value`,
      "transforms.InsertSource.static.field": "data_source",
      "transforms.InsertSource.static.value": "test-file-source",
    });
    expect(c.apply(rec({ value: { line: "foo" } }))!.value).toEqual({ line: "foo", data_source: "test-file-source" });
  });

  it("adds topic, partition, offset and timestamp fields, ignoring the ! and ? suffixes", () => {
    const c = chain({
      transforms: "meta",
      "transforms.meta.type": `${T}.InsertField$Value`,
      "transforms.meta.topic.field": "t!",
      "transforms.meta.partition.field": "p",
      "transforms.meta.offset.field": "o?",
      "transforms.meta.timestamp.field": "ts",
    });
    expect(c.apply(rec({ value: { a: 1 } }))!.value).toEqual({ a: 1, t: "orders", p: 2, o: 41, ts: 1767225600000 });
  });

  it("passes tombstones through and refuses a value that is not a map", () => {
    const c = chain({ transforms: "i", "transforms.i.type": "InsertField$Value", "transforms.i.static.field": "x" });
    expect(c.apply(rec({ value: null }))!.value).toBeNull();
    expect(() => c.apply(rec({ value: "text" }))).toThrow(
      "Only Map objects supported in absence of schema for [field insertion], found: string",
    );
  });
});

describe("ReplaceField", () => {
  const value = { id: 7, name: "ada", ssn: "123", city: "Paris" };
  it("excludes fields and renames others (renames foo:bar pairs)", () => {
    const c = chain({
      transforms: "r",
      "transforms.r.type": `${T}.ReplaceField$Value`,
      "transforms.r.exclude": "ssn",
      "transforms.r.renames": "name:full_name,city:town",
    });
    expect(c.apply(rec({ value }))!.value).toEqual({ id: 7, full_name: "ada", town: "Paris" });
  });

  it("keeps only included fields, exclude taking precedence", () => {
    const c = chain({
      transforms: "r",
      "transforms.r.type": `${T}.ReplaceField$Value`,
      "transforms.r.include": "id,name,ssn",
      "transforms.r.exclude": "ssn",
    });
    expect(c.apply(rec({ value }))!.value).toEqual({ id: 7, name: "ada" });
  });

  it("rejects a rename that is not old:new", () => {
    expect(
      problems({ transforms: "r", "transforms.r.type": `${T}.ReplaceField$Value`, "transforms.r.renames": "a:b,c" }),
    ).toHaveProperty(["transforms.r.renames"]);
  });
});

describe("MaskField", () => {
  it("masks with each type's empty value", () => {
    const c = chain({
      transforms: "m",
      "transforms.m.type": `${T}.MaskField$Value`,
      "transforms.m.fields": "s,n,b,l,o",
    });
    expect(c.apply(rec({ value: { s: "secret", n: 42, b: true, l: [1], o: { a: 1 }, k: "kept" } }))!.value).toEqual({
      s: "",
      n: 0,
      b: false,
      l: [],
      o: {},
      k: "kept",
    });
  });

  it("masks with a replacement, parsed as a number for numeric fields", () => {
    const c = chain({
      transforms: "m",
      "transforms.m.type": `${T}.MaskField$Value`,
      "transforms.m.fields": "ssn,pin",
      "transforms.m.replacement": "9999",
    });
    expect(c.apply(rec({ value: { ssn: "123-45-6789", pin: 1234 } }))!.value).toEqual({ ssn: "9999", pin: 9999 });
    const bad = chain({
      transforms: "m",
      "transforms.m.type": `${T}.MaskField$Value`,
      "transforms.m.fields": "pin",
      "transforms.m.replacement": "<redacted>",
    });
    expect(() => bad.apply(rec({ value: { pin: 1234 } }))).toThrow(/Unable to convert/);
  });
});

describe("ValueToKey and ExtractField", () => {
  it("makes the key from value fields, then extracts one field (Kafka's JDBC example: id)", () => {
    const c = chain({
      transforms: "createKey,extractInt",
      "transforms.createKey.type": `${T}.ValueToKey`,
      "transforms.createKey.fields": "id",
      "transforms.extractInt.type": `${T}.ExtractField$Key`,
      "transforms.extractInt.field": "id",
    });
    const out = c.apply(rec({ value: { id: 42, name: "x" } }))!;
    expect(out.key).toBe(42);
    expect(out.value).toEqual({ id: 42, name: "x" });
  });

  it("ValueToKey alone keys the record by a map of the fields", () => {
    const c = chain({ transforms: "k", "transforms.k.type": `${T}.ValueToKey`, "transforms.k.fields": "a,b" });
    expect(c.apply(rec({ value: { a: 1, b: "x", c: 3 } }))!.key).toEqual({ a: 1, b: "x" });
  });

  it("ExtractField V2 reads dotted paths as nesting; V1 takes the name whole", () => {
    const value = { "a.b": "flat", a: { b: "nested" } };
    const v2 = chain({
      transforms: "e",
      "transforms.e.type": `${T}.ExtractField$Value`,
      "transforms.e.field": "a.b",
      "transforms.e.field.syntax.version": "V2",
    });
    expect(v2.apply(rec({ value }))!.value).toBe("nested");
    const v1 = chain({ transforms: "e", "transforms.e.type": `${T}.ExtractField$Value`, "transforms.e.field": "a.b" });
    expect(v1.apply(rec({ value }))!.value).toBe("flat");
    expect(v1.apply(rec({ value: null }))!.value).toBeNull();
  });
});

describe("Cast", () => {
  it("casts fields by spec (field:type pairs)", () => {
    const c = chain({
      transforms: "c",
      "transforms.c.type": `${T}.Cast$Value`,
      "transforms.c.spec": "age:int32,score:float64,active:boolean,id:string",
    });
    expect(c.apply(rec({ value: { age: "42", score: "9.5", active: 1, id: 1001, other: "x" } }))!.value).toEqual({
      age: 42,
      score: 9.5,
      active: true,
      id: "1001",
      other: "x",
    });
  });

  it("narrows integers as Java does (int8 of 300 is 44) and truncates floats", () => {
    const c = chain({
      transforms: "c",
      "transforms.c.type": `${T}.Cast$Value`,
      "transforms.c.spec": "a:int8,b:int16,c:int32",
    });
    expect(c.apply(rec({ value: { a: 300, b: 40000, c: 3.99 } }))!.value).toEqual({ a: 44, b: -25536, c: 3 });
  });

  it("casts the whole key with a single type, and rejects unknown types", () => {
    const c = chain({ transforms: "c", "transforms.c.type": `${T}.Cast$Key`, "transforms.c.spec": "int64" });
    expect(c.apply(rec({ key: "17" }))!.key).toBe(17);
    expect(
      problems({ transforms: "c", "transforms.c.type": `${T}.Cast$Value`, "transforms.c.spec": "a:decimal" }),
    ).toHaveProperty(["transforms.c.spec"]);
  });
});

describe("RegexRouter and TimestampRouter", () => {
  it("RegexRouter rewrites a fully matching topic (Debezium's dbserver1.inventory.customers → customers)", () => {
    const c = chain({
      transforms: "route",
      "transforms.route.type": `${T}.RegexRouter`,
      "transforms.route.regex": "([^.]+)\\.([^.]+)\\.([^.]+)",
      "transforms.route.replacement": "$3",
    });
    expect(c.apply(rec({ topic: "dbserver1.inventory.customers" }))!.topic).toBe("customers");
    // Matcher.matches(): a partial match leaves the topic alone.
    expect(c.apply(rec({ topic: "a.b" }))!.topic).toBe("a.b");
  });

  it("TimestampRouter formats the record time into the topic (defaults ${topic}-${timestamp}, yyyyMMdd)", () => {
    const d = chain({ transforms: "ts", "transforms.ts.type": `${T}.TimestampRouter` });
    expect(d.apply(rec())!.topic).toBe("orders-20260101");
    const c = chain({
      transforms: "ts",
      "transforms.ts.type": `${T}.TimestampRouter`,
      "transforms.ts.topic.format": "foo-${topic}-${timestamp}",
      "transforms.ts.timestamp.format": "yyyy-MM-dd'T'HH",
    });
    expect(c.apply(rec({ timestamp: 1767225600000 + 13 * 3_600_000 }))!.topic).toBe("foo-orders-2026-01-01T13");
    expect(() => c.apply(rec({ timestamp: null }))).toThrow(/Timestamp missing/);
  });
});

describe("Filter and predicates", () => {
  it("drops records of topic foo (Kafka's docs: Filter with TopicNameMatches)", () => {
    const c = chain({
      transforms: "Filter",
      "transforms.Filter.type": `${T}.Filter`,
      "transforms.Filter.predicate": "IsFoo",
      predicates: "IsFoo",
      "predicates.IsFoo.type": `${P}.TopicNameMatches`,
      "predicates.IsFoo.pattern": "foo",
    });
    expect(c.apply(rec({ topic: "foo" }))).toBeNull();
    expect(c.apply(rec({ topic: "foobar" }))).not.toBeNull();
  });

  it("Kafka's two-predicate example: foo dropped, bar untouched, others keyed by other_field", () => {
    const c = chain({
      transforms: "Filter,Extract",
      "transforms.Filter.type": `${T}.Filter`,
      "transforms.Filter.predicate": "IsFoo",
      "transforms.Extract.type": `${T}.ExtractField$Key`,
      "transforms.Extract.field": "other_field",
      "transforms.Extract.predicate": "IsBar",
      "transforms.Extract.negate": "true",
      predicates: "IsFoo,IsBar",
      "predicates.IsFoo.type": `${P}.TopicNameMatches`,
      "predicates.IsFoo.pattern": "foo",
      "predicates.IsBar.type": `${P}.TopicNameMatches`,
      "predicates.IsBar.pattern": "bar",
    });
    const key = { other_field: "k", x: 1 };
    expect(c.apply(rec({ topic: "foo", key }))).toBeNull();
    expect(c.apply(rec({ topic: "bar", key }))!.key).toEqual(key);
    expect(c.apply(rec({ topic: "baz", key }))!.key).toBe("k");
  });

  it("drops tombstones (RecordIsTombstone) and keeps records with a header (HasHeaderKey, negated)", () => {
    const tomb = chain({
      transforms: "dropTombstones",
      "transforms.dropTombstones.type": `${T}.Filter`,
      "transforms.dropTombstones.predicate": "isTombstone",
      predicates: "isTombstone",
      "predicates.isTombstone.type": `${P}.RecordIsTombstone`,
    });
    expect(tomb.apply(rec({ value: null }))).toBeNull();
    expect(tomb.apply(rec({ value: { a: 1 } }))).not.toBeNull();
    const onlyTraced = chain({
      transforms: "f",
      "transforms.f.type": "Filter",
      "transforms.f.predicate": "traced",
      "transforms.f.negate": "true",
      predicates: "traced",
      "predicates.traced.type": "HasHeaderKey",
      "predicates.traced.name": "trace-id",
    });
    expect(onlyTraced.apply(rec({ headers: [{ key: "trace-id", value: "1" }] }))).not.toBeNull();
    expect(onlyTraced.apply(rec({ headers: [] }))).toBeNull();
  });

  it("a Filter without a predicate drops everything", () => {
    expect(chain({ transforms: "f", "transforms.f.type": `${T}.Filter` }).apply(rec())).toBeNull();
  });

  it("names what is wrong: unknown classes, missing keys, predicates not listed", () => {
    const errors = problems({
      transforms: "a,b,c",
      "transforms.a.type": `${T}.NoSuchThing`,
      "transforms.b.type": `${T}.RegexRouter`,
      "transforms.c.type": `${T}.Filter`,
      "transforms.c.predicate": "missing",
    });
    expect(errors["transforms.a.type"]![0]).toMatch(/Class .*NoSuchThing could not be found/);
    expect(errors["transforms.b.regex"]![0]).toMatch(/Missing required configuration "regex"/);
    expect(errors["transforms.c.predicate"]![0]).toMatch(/missing is not listed in predicates/);
  });
});

describe("HeaderFrom", () => {
  it("moves fields into headers (fields id,ts → headers record_id,timestamp)", () => {
    const c = chain({
      transforms: "h",
      "transforms.h.type": `${T}.HeaderFrom$Value`,
      "transforms.h.fields": "id,meta",
      "transforms.h.headers": "record_id,meta",
      "transforms.h.operation": "move",
    });
    const out = c.apply(rec({ value: { id: 7, meta: { a: 1 }, body: "x" }, headers: [{ key: "h", value: "1" }] }))!;
    expect(out.value).toEqual({ body: "x" });
    expect(out.headers).toEqual([
      { key: "h", value: "1" },
      { key: "record_id", value: "7" },
      { key: "meta", value: '{"a":1}' },
    ]);
  });

  it("copies from the key, keeping the fields", () => {
    const c = chain({
      transforms: "h",
      "transforms.h.type": `${T}.HeaderFrom$Key`,
      "transforms.h.fields": "tenant",
      "transforms.h.headers": "tenant",
      "transforms.h.operation": "copy",
    });
    const out = c.apply(rec({ key: { tenant: "acme" } }))!;
    expect(out.key).toEqual({ tenant: "acme" });
    expect(out.headers).toEqual([{ key: "tenant", value: "acme" }]);
  });
});
