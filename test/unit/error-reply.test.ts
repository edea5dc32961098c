// The one error reply: what every path (router, refused upgrade, partial produce, Durable Streams)
// answers for an error: body, status, Retry-After, WWW-Authenticate.

import { describe, expect, it } from "vitest";
import { errorReply, errorResponse } from "../../src/protocol/error-reply.js";
import { EdgelogError } from "../../src/protocol/errors.js";

describe("error replies", () => {
  it("carry the code's status and the body shape, extra fields beside error", () => {
    const e = new EdgelogError("OFFSET_OUT_OF_RANGE", "offset 9 is past the end", {
      log_start_offset: 0,
      high_watermark: 3,
    });
    const r = errorReply(e);
    expect(r.status).toBe(416);
    expect(r.body).toEqual({
      log_start_offset: 0,
      high_watermark: 3,
      error: {
        code: "OFFSET_OUT_OF_RANGE",
        message: expect.stringContaining("offset 9 is past the end"),
        retriable: false,
      },
    });
    expect(r.headers).toEqual({});
  });

  it("say when to retry: the error's own Retry-After, else its code's for retriable unavailability", () => {
    expect(errorReply(new EdgelogError("THROTTLING_QUOTA_EXCEEDED", "slow", undefined, 4)).headers).toEqual({
      "Retry-After": "4",
    });
    expect(errorReply(new EdgelogError("KAFKA_STORAGE_ERROR", "R2 down")).headers["Retry-After"]).toBe("1");
    expect(errorReply(new EdgelogError("LEADER_NOT_AVAILABLE", "busy")).headers["Retry-After"]).toBe("1");
  });

  it("ask for a bearer token on UNAUTHENTICATED", () => {
    expect(errorReply(new EdgelogError("UNAUTHENTICATED", "no token")).headers).toEqual({
      "WWW-Authenticate": 'Bearer realm="edgelog"',
    });
  });

  it("take another status and more body fields where a protocol fixes them, and render as a JSON Response", async () => {
    const res = errorResponse(new EdgelogError("STREAM_CLOSED", "closed"), { status: 409, body: { records: [] } });
    expect(res.status).toBe(409);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(await res.json()).toMatchObject({ records: [], error: { code: "STREAM_CLOSED" } });
  });
});
