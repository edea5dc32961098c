import { describe, expect, it } from "vitest";
import { errorReply } from "../../src/protocol/error-reply.js";
import { EdgelogError } from "../../src/protocol/errors.js";
import { toEdgelogError } from "../../src/router/errors.js";
import { isTransient } from "../../src/router/objects.js";

// Shapes of the errors Durable Object stubs throw (see Cloudflare's "Error handling" for Durable Objects).
const overloaded = Object.assign(new Error("Durable Object is overloaded. Too many requests queued."), {
  overloaded: true,
  retryable: false,
});
const reset = Object.assign(new Error("Durable Object reset because its code was updated."), { retryable: true });
const plain = new Error("boom");

describe("platform faults become retriable coded errors, never a bare 500", () => {
  it("maps an overloaded object to 503 LEADER_NOT_AVAILABLE (which Kafka clients retry) with Retry-After", () => {
    const e = toEdgelogError(overloaded);
    expect(e.code).toBe("LEADER_NOT_AVAILABLE");
    expect(e.status).toBe(503);
    expect(e.retriable).toBe(true);
    expect(Number(errorReply(e).headers["Retry-After"])).toBeGreaterThan(0);
  });

  it("maps a retryable object fault to 503 with Retry-After", () => {
    const e = toEdgelogError(reset);
    expect([e.status, e.retriable, errorReply(e).headers["Retry-After"]]).toEqual([503, true, "1"]);
  });

  it("keeps edgelog's own errors as they are", () => {
    const mine = new EdgelogError("OFFSET_OUT_OF_RANGE", "x");
    expect(toEdgelogError(mine)).toBe(mine);
  });

  it("reports anything else as UNKNOWN_SERVER_ERROR without leaking its message", () => {
    const e = toEdgelogError(plain);
    expect(e.code).toBe("UNKNOWN_SERVER_ERROR");
    expect(e.message).not.toMatch(/boom/);
  });

  it("retries only transient faults, and never an overloaded object", () => {
    expect(isTransient(reset)).toBe(true);
    expect(isTransient(overloaded)).toBe(false);
    expect(isTransient(plain)).toBe(false);
    expect(isTransient(new EdgelogError("LEADER_NOT_AVAILABLE", "x"))).toBe(false);
  });
});
