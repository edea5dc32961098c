// Fields the HTTP API's shapes share: offsets, partitions, integer query parameters, paging,
// read isolation, the last stable offset and the error body.

import { z } from "zod";
import { ISOLATION_LEVELS, LIST_PAGE_DEFAULT, LIST_PAGE_MAX, MAX_PARTITIONS } from "./constants.js";

export const offset = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const partition = z
  .number()
  .int()
  .min(0)
  .max(MAX_PARTITIONS - 1);

export const ErrorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), retriable: z.boolean() }),
});

/** Kafka's isolation.level, on every read path (docs/transactions.md). */
export const IsolationSchema = z
  .enum(ISOLATION_LEVELS)
  .describe(
    "read_committed: stop at the last stable offset and leave out aborted transactions' records; read_uncommitted (the HTTP default): every data record up to the high watermark. Control records (transaction markers) are never shown as records",
  );

export const lastStableOffset = z
  .number()
  .int()
  .describe("the first offset of the oldest open transaction, or the high watermark when none is open");

export const intParam = (name: string) =>
  z
    .string()
    .regex(/^\d+$/, `${name} must be a non-negative integer`)
    .transform(Number)
    .refine(Number.isSafeInteger, `${name} is too large`);

/** One paging shape for every name-ordered listing: limit, after=<last name>, next_after in the reply. */
export const pageQuery = (noun: string) =>
  z.object({
    limit: intParam("limit")
      .pipe(z.number().min(1).max(LIST_PAGE_MAX))
      .optional()
      .describe(`${noun} per page (default ${LIST_PAGE_DEFAULT}, at most ${LIST_PAGE_MAX})`),
    after: z
      .string()
      .optional()
      .describe(`list ${noun} whose names sort after this one (next_after of the previous page)`),
  });

export type ErrorReplyBody = z.infer<typeof ErrorBodySchema>;
