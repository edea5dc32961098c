// The schema registry's REST API (Confluent's subset) inside workerd: registering, ids, versions,
// lookups, compatibility levels, modes, soft and permanent deletes, references, error bodies.

import { describe, expect, it } from "vitest";
import { avroRecord, sr, SR_TYPE, uniqueSubject } from "../support/registry.js";

const v1 = avroRecord([{ name: "id", type: "string" }]);
const v2 = avroRecord([
  { name: "id", type: "string" },
  { name: "qty", type: "int", default: 1 },
]);
// A new field without a default: data written before it cannot be read.
const breaking = avroRecord([
  { name: "id", type: "string" },
  { name: "qty", type: "int", default: 1 },
  { name: "price", type: "double" },
]);

describe("registering and reading", () => {
  it("registers a schema, answers the same id for the same schema, and serves it by id and version", async () => {
    const s = uniqueSubject();
    const first = await sr("POST", `/subjects/${s}/versions`, { schema: v1 });
    expect(first.status).toBe(200);
    expect(first.type).toBe(SR_TYPE);
    const id = first.body.id;
    expect(Number.isInteger(id)).toBe(true);
    // The same schema with other whitespace is the same schema.
    const again = await sr("POST", `/subjects/${s}/versions`, { schema: JSON.stringify(JSON.parse(v1), null, 2) });
    expect(again.body).toEqual({ id });
    // The same schema under another subject keeps its global id.
    const other = await sr("POST", `/subjects/${uniqueSubject()}/versions`, { schema: v1 });
    expect(other.body).toEqual({ id });

    expect((await sr("GET", `/schemas/ids/${id}`)).body).toEqual({ schema: v1 });
    expect((await sr("GET", `/subjects/${s}/versions`)).body).toEqual([1]);
    expect((await sr("GET", `/subjects/${s}/versions/latest`)).body).toEqual({
      subject: s,
      version: 1,
      id,
      schema: v1,
    });
    expect((await sr("GET", `/subjects/${s}/versions/1/schema`)).body).toEqual(JSON.parse(v1));
    expect((await sr("GET", `/schemas/ids/${id}/subjects`)).body).toContain(s);
    expect((await sr("GET", `/schemas/ids/${id}/versions`)).body).toContainEqual({ subject: s, version: 1 });
    expect((await sr("GET", "/subjects")).body).toContain(s);
    expect((await sr("GET", "/schemas/types")).body.sort()).toEqual(["AVRO", "JSON", "PROTOBUF"]);

    const looked = await sr("POST", `/subjects/${s}`, { schema: v1 });
    expect(looked.body).toEqual({ subject: s, version: 1, id, schema: v1 });
  });

  it("adds a compatible version and refuses an incompatible one with 409 and the reasons", async () => {
    const s = uniqueSubject();
    await sr("POST", `/subjects/${s}/versions`, { schema: v1 });
    const second = await sr("POST", `/subjects/${s}/versions`, { schema: v2 });
    expect(second.status).toBe(200);
    expect((await sr("GET", `/subjects/${s}/versions`)).body).toEqual([1, 2]);

    const refused = await sr("POST", `/subjects/${s}/versions`, { schema: breaking });
    expect(refused.status).toBe(409);
    expect(refused.type).toBe(SR_TYPE);
    expect(refused.body.error_code).toBe(409);
    expect(refused.body.message).toContain("READER_FIELD_MISSING_DEFAULT_VALUE");
    expect((await sr("GET", `/subjects/${s}/versions`)).body).toEqual([1, 2]);

    const quiet = await sr("POST", `/compatibility/subjects/${s}/versions/latest`, { schema: breaking });
    expect(quiet.body).toEqual({ is_compatible: false });
    const verbose = await sr("POST", `/compatibility/subjects/${s}/versions/latest?verbose=true`, { schema: breaking });
    expect(verbose.body.is_compatible).toBe(false);
    expect(verbose.body.messages.join(" ")).toContain("'price'");
    expect((await sr("POST", `/compatibility/subjects/${s}/versions/1`, { schema: v2 })).body).toEqual({
      is_compatible: true,
    });
  });

  it("answers Confluent's error codes for what does not exist or is not valid", async () => {
    const s = uniqueSubject();
    expect((await sr("GET", `/subjects/${s}/versions`)).body.error_code).toBe(40401);
    await sr("POST", `/subjects/${s}/versions`, { schema: v1 });
    expect((await sr("GET", `/subjects/${s}/versions/7`)).body.error_code).toBe(40402);
    expect((await sr("GET", "/schemas/ids/999999")).body.error_code).toBe(40403);
    expect((await sr("POST", `/subjects/${s}`, { schema: v2 })).body.error_code).toBe(40403);
    expect((await sr("GET", `/subjects/${s}/versions/one`)).body.error_code).toBe(42202);
    const invalid = await sr("POST", `/subjects/${s}/versions`, { schema: '{"type":"record","name":"x"}' });
    expect(invalid.status).toBe(422);
    expect(invalid.body.error_code).toBe(42201);
    expect(invalid.body.message).toContain("fields");
    const badJson = await sr("POST", `/subjects/${s}/versions`, { schema: "{", schemaType: "JSON" });
    expect(badJson.body.error_code).toBe(42201);
    expect((await sr("GET", "/no/such/route")).body.error_code).toBe(404);
  });
});

describe("compatibility levels and modes", () => {
  it("keeps a subject's own level apart from the global one (as kafkajs's client expects)", async () => {
    const s = uniqueSubject();
    expect((await sr("GET", `/config/${s}`)).body.error_code).toBe(40408);
    expect((await sr("GET", `/config/${s}?defaultToGlobal=true`)).body).toEqual({ compatibilityLevel: "BACKWARD" });
    expect((await sr("GET", "/config")).body).toEqual({ compatibilityLevel: "BACKWARD" });
    expect((await sr("PUT", `/config/${s}`, { compatibility: "NONE" })).body).toEqual({ compatibility: "NONE" });
    expect((await sr("GET", `/config/${s}`)).body).toEqual({ compatibilityLevel: "NONE" });
    await sr("POST", `/subjects/${s}/versions`, { schema: v1 });
    expect((await sr("POST", `/subjects/${s}/versions`, { schema: breaking })).status).toBe(200);
    expect((await sr("PUT", `/config/${s}`, { compatibility: "SIDEWAYS" })).body.error_code).toBe(42203);
    expect((await sr("DELETE", `/config/${s}`)).body).toEqual({ compatibilityLevel: "NONE" });
    expect((await sr("GET", `/config/${s}`)).body.error_code).toBe(40408);
  });

  it("FORWARD and FULL check the other direction too", async () => {
    const s = uniqueSubject();
    await sr("PUT", `/config/${s}`, { compatibility: "FORWARD" });
    await sr("POST", `/subjects/${s}/versions`, { schema: v2 });
    // Dropping a defaulted field: the old schema reads new data using its default.
    expect((await sr("POST", `/subjects/${s}/versions`, { schema: v1 })).status).toBe(200);
    await sr("PUT", `/config/${s}`, { compatibility: "FULL" });
    expect((await sr("POST", `/subjects/${s}/versions`, { schema: breaking })).status).toBe(409);
  });

  it("a transitive level checks every earlier version", async () => {
    const s = uniqueSubject();
    await sr("PUT", `/config/${s}`, { compatibility: "BACKWARD_TRANSITIVE" });
    const a = avroRecord([{ name: "a", type: "int" }]);
    const b = avroRecord([
      { name: "a", type: "int" },
      { name: "b", type: "int", default: 0 },
    ]);
    // c reads what b wrote (b has its field), not what a wrote (no b, and c gives b no default).
    const c = avroRecord([{ name: "b", type: "int" }]);
    await sr("POST", `/subjects/${s}/versions`, { schema: a });
    await sr("POST", `/subjects/${s}/versions`, { schema: b });
    const refused = await sr("POST", `/subjects/${s}/versions`, { schema: c });
    expect(refused.status).toBe(409);
    expect(refused.body.message).toContain("oldSchemaVersion: 1");
  });

  it("read-only mode refuses registrations with 42205", async () => {
    const s = uniqueSubject();
    expect((await sr("GET", `/mode/${s}`)).body.error_code).toBe(40409);
    expect((await sr("PUT", `/mode/${s}`, { mode: "READONLY" })).body).toEqual({ mode: "READONLY" });
    const refused = await sr("POST", `/subjects/${s}/versions`, { schema: v1 });
    expect(refused.status).toBe(422);
    expect(refused.body.error_code).toBe(42205);
    expect((await sr("PUT", `/mode/${s}`, { mode: "IMPORT" })).body.error_code).toBe(42204);
    expect((await sr("DELETE", `/mode/${s}`)).body).toEqual({ mode: "READONLY" });
    expect((await sr("POST", `/subjects/${s}/versions`, { schema: v1 })).status).toBe(200);
    expect((await sr("GET", "/mode")).body).toEqual({ mode: "READWRITE" });
  });
});

describe("deleting", () => {
  it("soft-deletes, keeps old ids resolvable, then deletes permanently", async () => {
    const s = uniqueSubject();
    const { id } = (await sr("POST", `/subjects/${s}/versions`, { schema: avroRecord([{ name: "z", type: "long" }]) }))
      .body;
    expect((await sr("DELETE", `/subjects/${s}/versions/1?permanent=true`)).body.error_code).toBe(40407);
    expect((await sr("DELETE", `/subjects/${s}?permanent=true`)).body.error_code).toBe(40405);
    expect((await sr("DELETE", `/subjects/${s}`)).body).toEqual([1]);
    expect((await sr("DELETE", `/subjects/${s}`)).body.error_code).toBe(40404);
    expect((await sr("GET", `/subjects/${s}/versions`)).body.error_code).toBe(40401);
    expect((await sr("GET", `/subjects/${s}/versions?deleted=true`)).body).toEqual([1]);
    expect((await sr("GET", "/subjects")).body).not.toContain(s);
    expect((await sr("GET", "/subjects?deleted=true")).body).toContain(s);
    // Old records still decode: the id resolves.
    expect((await sr("GET", `/schemas/ids/${id}`)).status).toBe(200);

    expect((await sr("DELETE", `/subjects/${s}?permanent=true`)).body).toEqual([1]);
    expect((await sr("GET", `/schemas/ids/${id}`)).body.error_code).toBe(40403);
    expect((await sr("GET", `/subjects/${s}/versions?deleted=true`)).body.error_code).toBe(40401);
  });

  it("a version's soft delete leaves the others; the next registration gets a new version number", async () => {
    const s = uniqueSubject();
    await sr("POST", `/subjects/${s}/versions`, { schema: v1 });
    await sr("POST", `/subjects/${s}/versions`, { schema: v2 });
    expect((await sr("DELETE", `/subjects/${s}/versions/latest`)).body).toBe(2);
    expect((await sr("GET", `/subjects/${s}/versions/latest`)).body.version).toBe(1);
    expect((await sr("GET", `/subjects/${s}/versions/2`)).body.error_code).toBe(40402);
    expect((await sr("GET", `/subjects/${s}/versions/2?deleted=true`)).body.version).toBe(2);
    expect((await sr("POST", `/subjects/${s}/versions`, { schema: v2 })).status).toBe(200);
    expect((await sr("GET", `/subjects/${s}/versions`)).body).toEqual([1, 3]);
  });
});

describe("references and the other schema types", () => {
  it("an Avro schema refers to a type another subject registered; the referenced version cannot be deleted", async () => {
    const addressSubject = uniqueSubject("address");
    const address = JSON.stringify({
      type: "record",
      name: "Address",
      namespace: "shop",
      fields: [{ name: "city", type: "string" }],
    });
    await sr("POST", `/subjects/${addressSubject}/versions`, { schema: address });
    const s = uniqueSubject();
    const customer = JSON.stringify({
      type: "record",
      name: "Customer",
      namespace: "shop",
      fields: [{ name: "home", type: "shop.Address" }],
    });
    expect((await sr("POST", `/subjects/${s}/versions`, { schema: customer })).body.error_code).toBe(42201);
    const references = [{ name: "shop.Address", subject: addressSubject, version: 1 }];
    const { id } = (await sr("POST", `/subjects/${s}/versions`, { schema: customer, references })).body;
    expect((await sr("GET", `/schemas/ids/${id}`)).body).toEqual({ schema: customer, references });
    expect((await sr("GET", `/subjects/${addressSubject}/versions/1/referencedby`)).body).toEqual([id]);
    const refused = await sr("DELETE", `/subjects/${addressSubject}/versions/1`);
    expect(refused.body.error_code).toBe(42206);
  });

  it("registers JSON Schema and Protobuf, with schemaType in the replies", async () => {
    const js = uniqueSubject("json");
    const schema = JSON.stringify({
      type: "object",
      properties: { n: { type: "integer" } },
      additionalProperties: false,
    });
    const { id } = (await sr("POST", `/subjects/${js}/versions`, { schema, schemaType: "JSON" })).body;
    expect((await sr("GET", `/schemas/ids/${id}`)).body).toEqual({ schema, schemaType: "JSON" });
    const narrowed = JSON.stringify({
      type: "object",
      properties: { n: { type: "integer", maximum: 5 } },
      additionalProperties: false,
    });
    const refused = await sr("POST", `/subjects/${js}/versions`, { schema: narrowed, schemaType: "JSON" });
    expect(refused.body.error_code).toBe(409);
    expect(refused.body.message).toContain("MAXIMUM_ADDED");

    const pb = uniqueSubject("proto");
    const proto = 'syntax = "proto3";\npackage shop;\nmessage Order { string id = 1; int64 qty = 2; }\n';
    const created = await sr("POST", `/subjects/${pb}/versions`, { schema: proto, schemaType: "PROTOBUF" });
    expect(created.status).toBe(200);
    const changed = proto.replace("int64 qty = 2", "string qty = 2");
    const incompatible = await sr("POST", `/subjects/${pb}/versions`, { schema: changed, schemaType: "PROTOBUF" });
    expect(incompatible.body.message).toContain("FIELD_SCALAR_KIND_CHANGED");
    const broken = await sr("POST", `/subjects/${pb}/versions`, { schema: "message {", schemaType: "PROTOBUF" });
    expect(broken.body.error_code).toBe(42201);
  });

  it("bounds the schema size", async () => {
    const huge = avroRecord([{ name: "x", type: "string", doc: "d".repeat(600 * 1024) }]);
    const r = await sr("POST", `/subjects/${uniqueSubject()}/versions`, { schema: huge });
    expect(r.body.error_code).toBe(42201);
    expect(r.body.message).toContain("bound");
  });
});
