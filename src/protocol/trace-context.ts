// W3C Trace Context (https://www.w3.org/TR/trace-context/): the traceparent header, parsed,
// made and continued. Shared by the Worker (its own span), the SDK producer (records carry it)
// and the consumer (records expose it).

/** The record header (and HTTP header) name W3C defines. */
export const TRACEPARENT = "traceparent";

export interface TraceParent {
  traceId: string;
  /** The parent span's id (for a made one: this span's id). */
  spanId: string;
  /** Trace flags; bit 0 is "sampled". */
  flags: number;
  /** The header text. */
  header: string;
}

const PATTERN = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(?:-.*)?$/;

/** A valid traceparent, or null (an invalid one is ignored, as the spec says). */
export function parseTraceparent(text: string | null | undefined): TraceParent | null {
  const m = text ? PATTERN.exec(text.trim().toLowerCase()) : null;
  if (!m) return null;
  const [, version, traceId, spanId, flags] = m as unknown as [string, string, string, string, string];
  // Version ff is invalid; all-zero ids are invalid; version 00 takes exactly four fields.
  if (version === "ff" || /^0+$/.test(traceId) || /^0+$/.test(spanId)) return null;
  if (version === "00" && text!.trim().length !== 55) return null;
  return { traceId, spanId, flags: Number.parseInt(flags, 16), header: format(traceId, spanId, flags) };
}

/** A new span in the same trace, its parent the given one. */
export function childSpan(parent: Pick<TraceParent, "traceId" | "flags">): TraceParent {
  const spanId = randomHex(8);
  const flags = parent.flags.toString(16).padStart(2, "0");
  return { traceId: parent.traceId, spanId, flags: parent.flags, header: format(parent.traceId, spanId, flags) };
}

/** A new trace's root span (sampled). */
export function newTrace(): TraceParent {
  return childSpan({ traceId: randomHex(16), flags: 1 });
}

function format(traceId: string, spanId: string, flags: string): string {
  return `00-${traceId}-${spanId}-${flags}`;
}

function randomHex(bytes: number): string {
  const b = crypto.getRandomValues(new Uint8Array(bytes));
  return [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
}
