import { describe, expect, it } from "vitest";
import { encodeAssignment } from "../../src/gateway/handlers/groups.js";
import { decode, encode, Reader, type Field, type FieldType, type Value } from "../../src/gateway/wire/codec.js";
import { APIS, ASSIGNMENT, SUBSCRIPTION } from "../../src/gateway/wire/messages.js";

/** A value exercising every field present at `version`: non-default scalars, one-element arrays, nulls where allowed. */
function sample(fields: Field[], version: number, seed = 1, flexible = true): Value {
  const out: Value = {};
  for (const f of fields)
    if (version >= f.min && version <= f.max && (f.tag === undefined || flexible)) {
      const v = sampleOf(f.type, version, seed++, flexible);
      // A tagged field that is null is simply not written.
      if (f.tag === undefined || v !== null) out[f.name] = v;
    }
  return out;
}

function sampleOf(type: FieldType, version: number, seed: number, flexible: boolean): unknown {
  if (Array.isArray(type)) return sample(type, version, seed, flexible);
  if (typeof type === "object" && "struct" in type)
    return seed % 2 ? null : sample(type.struct, version, seed, flexible);
  if (typeof type === "object") return [sampleOf(type.array, version, seed, flexible)];
  switch (type) {
    case "int8":
      return seed % 100;
    case "int16":
      return -seed;
    case "int32":
      return seed * 100_003;
    case "int64":
      return 2 ** 40 + seed;
    case "uint16":
      return 60_000 + seed;
    case "float64":
      return seed + 0.5;
    case "uuid":
      return `0000000${seed % 10}-1111-2222-3333-444455556666`;
    case "bool":
      return true;
    case "string":
      return `s${seed}-ü`;
    case "string?":
      return seed % 2 ? null : `n${seed}`;
    case "bytes":
    case "records":
      return new Uint8Array([seed, 0, 255]);
    case "bytes?":
      return seed % 2 ? null : new Uint8Array([seed]);
  }
}

describe("table-driven codec", () => {
  for (const api of APIS) {
    it(`round-trips ${api.name} requests and responses at every advertised version (${api.min}-${api.max})`, () => {
      for (let v = api.min; v <= api.max; v++) {
        for (const s of [api.request, api.response]) {
          const value = sample(s.fields, v, 1, v >= s.flexibleFrom);
          const bytes = encode(s, v, value).bytes();
          const r = new Reader(bytes);
          expect(decode(s, v, r)).toEqual(value);
          expect(r.remaining).toBe(0);
        }
      }
    });
  }

  it("writes ApiVersions v3 compactly (uvarint lengths, tagged fields) and v0-2 classically", () => {
    const api = APIS.find((a) => a.name === "ApiVersions")!;
    const value = { ErrorCode: 0, ApiKeys: [{ ApiKey: 18, MinVersion: 0, MaxVersion: 3 }], ThrottleTimeMs: 0 };
    expect(Buffer.from(encode(api.response, 3, value).bytes()).toString("hex")).toBe(
      "0000" + "02" + "0012" + "0000" + "0003" + "00" + "00000000" + "00",
    );
    expect(Buffer.from(encode(api.response, 0, value).bytes()).toString("hex")).toBe(
      "0000" + "00000001" + "0012" + "0000" + "0003",
    );
  });

  it("never writes null records (librdkafka rejects MessageSetSize -1)", () => {
    const fetch = APIS.find((a) => a.name === "Fetch")!;
    const bytes = encode(fetch.response, 4, { Responses: [{ Topic: "t", Partitions: [{ Records: null }] }] }).bytes();
    expect(Buffer.from(bytes.subarray(-4)).toString("hex")).toBe("00000000");
  });

  it("reads a kafkajs v0 subscription and a librdkafka v1 one with owned partitions", () => {
    // kafkajs RoundRobinAssigner: version 0, topics ["a","b"], empty user data.
    const kafkajs = new Uint8Array(Buffer.from("0000" + "00000002" + "000161" + "000162" + "00000000", "hex"));
    const r = new Reader(kafkajs);
    expect(r.int16()).toBe(0);
    expect(decode(SUBSCRIPTION, 0, r)).toEqual({ Topics: ["a", "b"], UserData: new Uint8Array(0) });
    const owned = Buffer.from(
      "0001" + "00000001" + "000161" + "ffffffff" + "00000001" + "000161" + "00000002" + "00000000" + "00000003",
      "hex",
    );
    const r1 = new Reader(owned);
    expect(r1.int16()).toBe(1);
    expect(decode(SUBSCRIPTION, 1, r1)).toEqual({
      Topics: ["a"],
      UserData: null,
      OwnedPartitions: [{ Topic: "a", Partitions: [0, 3] }],
    });
  });

  it("encodes SyncGroup assignments as ConsumerProtocol Assignment v0 bytes", () => {
    const bytes = encodeAssignment([{ topic: "a", partitions: [1, 2] }]);
    expect(Buffer.from(bytes).toString("hex")).toBe(
      "0000" + "00000001" + "000161" + "00000002" + "00000001" + "00000002" + "ffffffff",
    );
    const r = new Reader(bytes);
    r.int16();
    expect(decode(ASSIGNMENT, 0, r)).toEqual({
      AssignedPartitions: [{ Topic: "a", Partitions: [1, 2] }],
      UserData: null,
    });
  });
});
