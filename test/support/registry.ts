// Calls the schema registry routes in-process, as a Confluent client would (its media type).

import { exports } from "cloudflare:workers";

export const SR_TYPE = "application/vnd.schemaregistry.v1+json";

export interface SrReply {
  status: number;
  type: string | null;
  body: any;
}

export async function sr(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<SrReply> {
  const res = await exports.default.fetch(
    new Request(`http://edgelog.test/registry${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { "content-type": SR_TYPE }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  );
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* a raw schema text */
  }
  return { status: res.status, type: res.headers.get("content-type"), body: parsed };
}

let seq = 0;
export function uniqueSubject(prefix = "s"): string {
  return `${prefix}-${Date.now().toString(36)}-${++seq}-value`;
}

export const avroRecord = (fields: unknown[], name = "Order") => JSON.stringify({ type: "record", name, fields });
