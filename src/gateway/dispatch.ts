// One Kafka request, decoded, handled and encoded: the API table, the header rules (flexible
// versions, KIP-511 ApiVersions fallback) and what a connection must do with the outcome.

import { decode, encode, Reader, type Value } from "./wire/codec.js";
import { API, APIS, BY_KEY, type ApiName } from "./wire/messages.js";
import type { GatewayIdentity, Handler, RequestContext } from "./handlers/context.js";
import * as groups from "./handlers/groups.js";
import * as records from "./handlers/records.js";
import * as topics from "./handlers/topics.js";
import { errorMessage, KAFKA, NONE } from "./errors.js";

const apiVersions: Handler = async () => apiVersionsBody(NONE);

function apiVersionsBody(errorCode: number): Value {
  return {
    ErrorCode: errorCode,
    ApiKeys: APIS.map((a) => ({ ApiKey: a.key, MinVersion: a.min, MaxVersion: a.max })),
    ThrottleTimeMs: 0,
  };
}

const HANDLERS: Record<ApiName, Handler> = {
  Produce: records.produce,
  Fetch: records.fetch,
  ListOffsets: records.listOffsets,
  Metadata: topics.metadata,
  OffsetCommit: groups.offsetCommit,
  OffsetFetch: groups.offsetFetch,
  FindCoordinator: groups.findCoordinator,
  JoinGroup: groups.joinGroup,
  Heartbeat: groups.heartbeatHandler,
  LeaveGroup: groups.leaveGroup,
  SyncGroup: groups.syncGroup,
  ApiVersions: apiVersions,
  CreateTopics: topics.createTopics,
  DeleteTopics: topics.deleteTopics,
  InitProducerId: records.initProducerId,
};

/** A request frame: its header's fixed fields, and the whole frame (the header is read again from it). */
export interface Frame {
  apiKey: number;
  version: number;
  correlationId: number;
  body: Uint8Array;
}

/** What the connection does next: answer (with or without header tags), close (logging why), or nothing (acks=0). */
export type Outcome = { respond: Uint8Array; headerTags: boolean } | { close: string } | null;

/** What a request needs from its connection (the rest of RequestContext comes from the frame). */
export type ConnectionContext = Omit<RequestContext, "version" | "clientId">;

export async function dispatch(frame: Frame, conn: ConnectionContext): Promise<Outcome> {
  const spec = BY_KEY.get(frame.apiKey);
  if (frame.apiKey === API.ApiVersions && spec && (frame.version < spec.min || frame.version > spec.max)) {
    // KIP-511: never close on an ApiVersions version we do not know; answer v0 with the table.
    return { respond: encode(spec.response, 0, apiVersionsBody(KAFKA.UNSUPPORTED_VERSION)).bytes(), headerTags: false };
  }
  if (!spec || frame.version < spec.min || frame.version > spec.max) {
    // A version we never advertised: Kafka closes the connection, and no client sends one.
    return { close: `unsupported request: api key ${frame.apiKey} version ${frame.version}` };
  }
  const flexible = frame.version >= spec.request.flexibleFrom;
  let req: Value;
  let clientId: string | null;
  try {
    const r = new Reader(frame.body, 8);
    const idLength = r.int16();
    clientId = idLength < 0 ? null : new TextDecoder().decode(r.raw(idLength));
    if (flexible) r.skipTags();
    req = decode(spec.request, frame.version, r);
  } catch (e) {
    if (frame.apiKey === API.ApiVersions) {
      return {
        respond: encode(spec.response, 0, apiVersionsBody(KAFKA.UNSUPPORTED_VERSION)).bytes(),
        headerTags: false,
      };
    }
    return { close: `malformed ${spec.name} v${frame.version} request: ${errorMessage(e)}` };
  }
  const ctx: RequestContext = { ...conn, version: frame.version, clientId };
  let body: Value | null;
  try {
    body = await HANDLERS[spec.name](req, ctx);
  } catch (e) {
    // Failures a handler could not express as an error code (edgelog unreachable during
    // Metadata, a bug): close this connection only; the client reconnects.
    return { close: `${spec.name} failed: ${errorMessage(e)}` };
  }
  if (body === null) return null;
  // ApiVersions always answers with response header v0, even when the request was flexible.
  const headerTags = flexible && frame.apiKey !== API.ApiVersions;
  return { respond: encode(spec.response, frame.version, body).bytes(), headerTags };
}
