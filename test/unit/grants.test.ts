import { describe, expect, it } from "vitest";
import {
  allows,
  parseGrant,
  produceOnly,
  topicResource,
  transactionalIdResource,
  uncovered,
  type Grant,
} from "../../src/auth/grants.js";
import { EdgelogError } from "../../src/protocol/errors.js";
import type { Operation } from "../../src/protocol/constants.js";

const grant = (resource: string, ...operations: Operation[]): Grant => parseGrant({ resource, operations });

describe("prefix patterns", () => {
  it.each([
    ["orders.*", "orders.eu", true],
    ["orders.*", "orders.", true],
    ["orders.*", "orders2", false],
    ["orders.*", "orders", false],
    ["orders.*", "xorders.eu", false],
    ["orders", "orders", true],
    ["orders", "orders.eu", false],
    ["*", "anything", true],
  ])("topic:%s matches %s: %s", (pattern, name, expected) => {
    expect(allows([grant(`topic:${pattern}`, "consume")], topicResource(name), "consume")).toBe(expected);
  });

  it("never lets a topic grant match a group of the same name", () => {
    expect(allows([grant("topic:billing", "admin")], { kind: "group", name: "billing" }, "consume")).toBe(false);
  });
});

describe("operations", () => {
  const on = (op: Operation, wanted: Operation) => allows([grant("topic:t", op)], topicResource("t"), wanted);
  it("admin implies every operation", () => {
    for (const op of ["produce", "consume", "describe", "admin"] as const) expect(on("admin", op)).toBe(true);
  });
  it("produce and consume imply describe only", () => {
    expect(on("produce", "describe")).toBe(true);
    expect(on("consume", "describe")).toBe(true);
    expect(on("produce", "consume")).toBe(false);
    expect(on("consume", "produce")).toBe(false);
    expect(on("describe", "consume")).toBe(false);
    expect(on("produce", "admin")).toBe(false);
  });
});

describe("parsing", () => {
  it.each([
    "queue:x",
    "orders",
    "topic:",
    "topic:a*b",
    "topic:**",
    "topic:bad name",
    "group:has space",
    "cluster:x",
    "Cluster",
  ])("refuses %s with INVALID_REQUEST", (resource) => {
    expect(() => parseGrant({ resource, operations: ["describe"] })).toThrowError(EdgelogError);
  });
  it("refuses unknown operations, produce/consume on the cluster, and each kind's operations on the others", () => {
    expect(() => parseGrant({ resource: "topic:a", operations: ["fly" as Operation] })).toThrowError(
      /unknown operation/,
    );
    expect(() => parseGrant({ resource: "cluster", operations: ["produce"] })).toThrowError(
      /describe, authenticate, admin, not produce/,
    );
    expect(() => parseGrant({ resource: "topic:a", operations: ["authenticate"] })).toThrowError(/not authenticate/);
    expect(() => parseGrant({ resource: "topic:a", operations: ["write"] })).toThrowError(/not write/);
    expect(() => parseGrant({ resource: "subject:a-value", operations: ["produce"] })).toThrowError(
      /read, write, delete, configure, admin, not produce/,
    );
    expect(parseGrant({ resource: "subject:orders-*", operations: ["write"] }).kind).toBe("subject");
  });
  it("accepts literal names, prefixes, * and the cluster", () => {
    expect(grant("topic:orders.*", "produce")).toEqual({ kind: "topic", pattern: "orders.*", operations: ["produce"] });
    expect(grant("group:*", "consume").pattern).toBe("*");
    expect(grant("cluster", "admin").kind).toBe("cluster");
  });
});

describe("coverage (no escalation)", () => {
  const held = [
    grant("topic:orders.*", "produce", "consume"),
    grant("group:billing", "consume"),
    grant("cluster", "describe"),
  ];
  it.each([
    ["topic:orders.eu", ["produce"], undefined],
    ["topic:orders.eu.*", ["consume", "describe"], undefined],
    ["topic:orders.*", ["produce"], undefined],
    ["topic:orders*", ["produce"], "produce"],
    ["topic:*", ["consume"], "consume"],
    ["topic:orders.eu", ["admin"], "admin"],
    ["group:billing", ["consume"], undefined],
    ["group:billing*", ["consume"], "consume"],
    ["group:billing", ["admin"], "admin"],
    ["cluster", ["describe"], undefined],
    ["cluster", ["admin"], "admin"],
  ] as const)("%s %j → uncovered %s", (resource, operations, expected) => {
    expect(uncovered(held, grant(resource, ...operations))).toBe(expected);
  });
});

it("produce-only means every grant is produce on topics", () => {
  expect(produceOnly([grant("topic:a", "produce"), grant("topic:b*", "produce")])).toBe(true);
  expect(produceOnly([grant("topic:a", "produce", "describe")])).toBe(false);
  expect(produceOnly([grant("topic:a", "admin")])).toBe(false);
  expect(produceOnly([grant("topic:a", "produce"), grant("cluster", "describe")])).toBe(false);
});

describe("transactional ids", () => {
  it("are granted write, describe or admin, by name or prefix; write implies describe", () => {
    const g = [grant("transactional-id:app-*", "write")];
    expect(allows(g, transactionalIdResource("app-1"), "write")).toBe(true);
    expect(allows(g, transactionalIdResource("app-1"), "describe")).toBe(true);
    expect(allows(g, transactionalIdResource("other"), "write")).toBe(false);
    expect(allows(g, topicResource("app-1"), "produce")).toBe(false);
    expect(allows([grant("transactional-id:app-1", "describe")], transactionalIdResource("app-1"), "write")).toBe(
      false,
    );
    expect(() => parseGrant({ resource: "transactional-id:app", operations: ["produce"] })).toThrowError(
      /takes write, describe, admin/,
    );
    expect(() => parseGrant({ resource: "transactional-id:a b", operations: ["write"] })).toThrowError(
      /not a valid transactional-id name/,
    );
    expect(uncovered(g, grant("transactional-id:app-eu-*", "write"))).toBeUndefined();
    expect(uncovered(g, grant("transactional-id:*", "describe"))).toBe("describe");
  });
});
