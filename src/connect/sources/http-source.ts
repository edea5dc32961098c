// http-source, pure parts: checking a webhook's HMAC signature, and turning a request body into
// source records by the connector's rules (one record, a JSON array's elements, or lines; the key
// from a JSON pointer or a header; a fixed partition or by key).

import { EdgelogError } from "../../protocol/errors.js";
import { decodeUtf8, utf8Encoder } from "../../util/utf8.js";
import type { ConfigValue } from "../config.js";
import type { ConnectRecord, Data } from "../record.js";

export interface IngestRequest {
  body: Uint8Array;
  /** Lower-case header names. */
  headers: Record<string, string>;
}

const ALGORITHMS: Record<string, string> = { HmacSHA1: "SHA-1", HmacSHA256: "SHA-256", HmacSHA512: "SHA-512" };

const hex = (b: ArrayBuffer) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, "0")).join("");

/** Compares in time independent of where the texts differ. */
function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** The signature a sender computes: prefix + hex HMAC of the raw body. */
export async function sign(secret: string, algorithm: string, prefix: string, body: Uint8Array): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    utf8Encoder.encode(secret),
    { name: "HMAC", hash: ALGORITHMS[algorithm] ?? "SHA-256" },
    false,
    ["sign"],
  );
  return prefix + hex(await crypto.subtle.sign("HMAC", key, body));
}

/** Whether the request carries a valid signature under the connector's hmac.* settings. */
export async function signatureValid(values: Record<string, ConfigValue>, req: IngestRequest): Promise<boolean> {
  const secret = values["hmac.secret"];
  if (typeof secret !== "string" || secret === "") return false;
  const given = req.headers[String(values["hmac.header"]).toLowerCase()];
  if (given === undefined) return false;
  const expected = await sign(secret, String(values["hmac.algorithm"]), String(values["hmac.prefix"]), req.body);
  return sameText(given.trim().toLowerCase(), expected.toLowerCase());
}

function invalid(message: string): EdgelogError {
  return new EdgelogError("INVALID_RECORD", message);
}

/** RFC 6901: /a/b/0, with ~1 for / and ~0 for ~. */
export function pointer(doc: Data, path: string): Data | undefined {
  if (path === "") return doc;
  let at: Data | undefined = doc;
  for (const raw of path.slice(1).split("/")) {
    const token = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    if (Array.isArray(at)) at = /^\d+$/.test(token) ? at[Number(token)] : undefined;
    else if (at !== null && typeof at === "object" && !(at instanceof Uint8Array)) at = at[token];
    else return undefined;
    if (at === undefined) return undefined;
  }
  return at;
}

function isJson(contentType: string | undefined): boolean {
  return contentType !== undefined && /^application\/(?:[\w.+-]*\+)?json\b|^application\/x-ndjson\b/i.test(contentType);
}

function parseJson(text: string, where: string): Data {
  try {
    return JSON.parse(text) as Data;
  } catch (e) {
    throw invalid(`${where} is not valid JSON (${(e as Error).message}); send JSON, or text with another Content-Type`);
  }
}

/** The records a request body holds, before conversion and transforms. */
export function ingestRecords(values: Record<string, ConfigValue>, req: IngestRequest, now: number): ConnectRecord[] {
  const text = decodeUtf8(req.body);
  if (text === null) throw invalid("the body is not UTF-8 text");
  const json = isJson(req.headers["content-type"]);
  const split = String(values["ingest.split"]);
  let items: Data[];
  if (split === "lines") {
    items = text
      .split(/\r?\n/)
      .filter((l) => l.trim() !== "")
      .map((l, i) => (json ? parseJson(l, `line ${i + 1}`) : l));
  } else if (split === "array") {
    const doc = parseJson(text, "the body");
    if (!Array.isArray(doc)) throw invalid("ingest.split=array needs a JSON array body");
    items = doc;
  } else {
    items = [json ? parseJson(text, "the body") : text];
  }
  if (items.length === 0) throw invalid("the body holds no record");
  const headers = (values["headers.forward"] as string[])
    .map((h) => ({ key: h, value: req.headers[h.toLowerCase()] }))
    .filter((h): h is { key: string; value: string } => h.value !== undefined);
  const keyPointer = values["key.pointer"] as string | null;
  const keyHeader = values["key.header"] as string | null;
  const partition = values.partition as number;
  return items.map((value) => {
    let key: Data = null;
    if (keyPointer) {
      const k = pointer(value, keyPointer);
      key = k === undefined || k === null ? null : typeof k === "string" ? k : JSON.stringify(k);
    } else if (keyHeader) {
      key = req.headers[keyHeader.toLowerCase()] ?? null;
    }
    return {
      topic: String(values.topic),
      partition: partition >= 0 ? partition : null,
      key,
      value,
      timestamp: now,
      headers,
    };
  });
}
