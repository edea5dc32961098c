// Reading a changelog (or a global table's topic) partition from an offset to its end, to rebuild a
// store: what a task does before it processes anything when it starts or moves.

import type { Transport } from "../../client/transport.js";
import type { FetchReply } from "../../protocol/api.js";
import { EdgelogError } from "../../protocol/errors.js";
import { toMemberRecord } from "../../host/member.js";
import type { MemberRecord } from "../../host/runner.js";

const enc = encodeURIComponent;
const PAGE_RECORDS = 10_000;
const PAGE_BYTES = 8 * 1024 * 1024;

/**
 * Applies every record of topic/partition from `from` up to the end it had when the restore began
 * (read_committed: its last stable offset, aborted records skipped); returns the offset it stopped
 * at (the next to read). A `from` below the log start (retention removed it) restores from the log start.
 */
export async function restorePartition(
  http: Transport,
  topic: string,
  partition: number,
  from: number,
  isolation: "read_uncommitted" | "read_committed",
  apply: (r: MemberRecord) => void,
): Promise<number> {
  const path = `/v1/topics/${enc(topic)}/partitions/${partition}/records`;
  let offset = from;
  let end: number | undefined;
  for (;;) {
    let reply: FetchReply;
    try {
      reply = await http.request(
        "GET",
        `${path}?offset=${offset}&format=binary&max_records=${PAGE_RECORDS}&max_bytes=${PAGE_BYTES}&isolation=${isolation}`,
        undefined,
        { retry: true },
      );
    } catch (e) {
      if (e instanceof EdgelogError && e.code === "OFFSET_OUT_OF_RANGE") {
        const start = Number(e.extra?.log_start_offset ?? 0);
        const hw = Number(e.extra?.high_watermark ?? 0);
        if (offset < start) {
          offset = start;
          continue;
        }
        if (offset >= hw) return offset;
      }
      throw e;
    }
    end ??= isolation === "read_committed" ? (reply.last_stable_offset ?? reply.high_watermark) : reply.high_watermark;
    for (const r of reply.records) apply(toMemberRecord(r));
    offset = Math.max(offset, reply.next_offset);
    if (offset >= end || (reply.records.length === 0 && reply.next_offset <= offset)) return offset;
  }
}
