// One Kafka request, decoded, handled and encoded: the API table, the header rules (flexible
// versions, KIP-511 ApiVersions fallback), unsupported requests, and what a connection must do next.

import { decode, encode, Reader, type Schema, type Value } from "./wire/codec.js";
import { API, APIS, BY_KEY, KNOWN, type ApiName } from "./wire/messages.js";
import type { Handler, RequestContext } from "./handlers/context.js";
import * as consumerProtocol from "./handlers/consumer-protocol.js";
import * as configs from "./handlers/configs.js";
import * as cluster from "./handlers/cluster.js";
import * as groupAdmin from "./handlers/group-admin.js";
import * as groups from "./handlers/groups.js";
import * as logAdmin from "./handlers/log-admin.js";
import * as records from "./handlers/records.js";
import * as topics from "./handlers/topics.js";
import * as transactionAdmin from "./handlers/transaction-admin.js";
import * as transactions from "./handlers/transactions.js";
import { errorMessage, KAFKA, NONE } from "./errors.js";
import type { SaslState } from "./sasl.js";

const apiVersions: Handler = async () => apiVersionsBody(NONE);

function apiVersionsBody(errorCode: number): Value {
  return {
    ErrorCode: errorCode,
    ApiKeys: APIS.map((a) => ({ ApiKey: a.key, MinVersion: a.min, MaxVersion: a.max })),
    ThrottleTimeMs: 0,
  };
}

const HANDLERS: Record<Exclude<ApiName, "SaslHandshake" | "SaslAuthenticate">, Handler> = {
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
  DescribeGroups: groupAdmin.describeGroups,
  ListGroups: groupAdmin.listGroups,
  ApiVersions: apiVersions,
  CreateTopics: topics.createTopics,
  DeleteTopics: topics.deleteTopics,
  DeleteRecords: logAdmin.deleteRecords,
  InitProducerId: records.initProducerId,
  OffsetForLeaderEpoch: logAdmin.offsetForLeaderEpoch,
  AddPartitionsToTxn: transactions.addPartitionsToTxn,
  AddOffsetsToTxn: transactions.addOffsetsToTxn,
  EndTxn: transactions.endTxn,
  TxnOffsetCommit: transactions.txnOffsetCommit,
  DescribeAcls: cluster.describeAcls,
  CreateAcls: cluster.createAcls,
  DeleteAcls: cluster.deleteAcls,
  DescribeConfigs: configs.describeConfigs,
  AlterConfigs: configs.alterConfigs,
  CreatePartitions: topics.createPartitions,
  DeleteGroups: groupAdmin.deleteGroups,
  IncrementalAlterConfigs: configs.incrementalAlterConfigs,
  OffsetDelete: groupAdmin.offsetDelete,
  DescribeCluster: cluster.describeCluster,
  DescribeProducers: transactionAdmin.describeProducers,
  DescribeTransactions: transactionAdmin.describeTransactions,
  ListTransactions: transactionAdmin.listTransactions,
  ConsumerGroupHeartbeat: consumerProtocol.consumerGroupHeartbeat,
  ConsumerGroupDescribe: consumerProtocol.consumerGroupDescribe,
};

/** A request frame: its header's fixed fields, and the whole frame (the header is read again from it). */
export interface Frame {
  apiKey: number;
  version: number;
  correlationId: number;
  body: Uint8Array;
}

/**
 * What the connection does next: answer (with or without header tags, then close when `close`
 * says why: a SASL failure), close at once (logging why), or nothing (acks=0).
 */
export type Outcome = { respond: Uint8Array; headerTags: boolean; close?: string } | { close: string } | null;

/** What a request needs from its connection (the rest of RequestContext comes from the frame). */
export type ConnectionContext = Omit<RequestContext, "version" | "clientId"> & {
  /** On an authenticated listener: the connection's SASL state (no other request before it is done). */
  sasl?: SaslState;
};

/** Before a client has signed in, Kafka serves only these. */
const BEFORE_SASL = new Set<number>([API.ApiVersions, API.SaslHandshake, API.SaslAuthenticate]);

/** Reads the rest of the request header (client id, header tags) and the body. */
function readRequest(frame: Frame, request: Schema): { clientId: string | null; req: Value } {
  const r = new Reader(frame.body, 8);
  const idLength = r.int16();
  const clientId = idLength < 0 ? null : new TextDecoder().decode(r.raw(idLength));
  if (frame.version >= request.flexibleFrom) r.skipTags();
  return { clientId, req: decode(request, frame.version, r) };
}

/** The client id of a frame, for logs, when the rest of it cannot be read. */
function clientIdOf(frame: Frame): string {
  try {
    const r = new Reader(frame.body, 8);
    const n = r.int16();
    return n < 0 ? "-" : new TextDecoder().decode(r.raw(n));
  } catch {
    return "-";
  }
}

export async function dispatch(frame: Frame, conn: ConnectionContext): Promise<Outcome> {
  const spec = BY_KEY.get(frame.apiKey);
  if (frame.apiKey === API.ApiVersions && spec && (frame.version < spec.min || frame.version > spec.max)) {
    // KIP-511: never close on an ApiVersions version we do not know; answer v0 with the table.
    return { respond: encode(spec.response, 0, apiVersionsBody(KAFKA.UNSUPPORTED_VERSION)).bytes(), headerTags: false };
  }
  if (conn.sasl && !conn.sasl.authenticated && !BEFORE_SASL.has(frame.apiKey)) {
    // As Kafka: a client that skips SASL on an authenticated listener is disconnected.
    return {
      close: `${spec?.name ?? `api key ${frame.apiKey}`} request before SASL authentication on an authenticated listener`,
    };
  }
  if (!spec || frame.version < spec.min || frame.version > spec.max) return unsupported(frame, conn);
  const flexible = frame.version >= spec.request.flexibleFrom;
  let req: Value;
  let clientId: string | null;
  try {
    ({ clientId, req } = readRequest(frame, spec.request));
  } catch (e) {
    if (frame.apiKey === API.ApiVersions) {
      return {
        respond: encode(spec.response, 0, apiVersionsBody(KAFKA.UNSUPPORTED_VERSION)).bytes(),
        headerTags: false,
      };
    }
    // Kafka closes a connection whose request it cannot parse: there is no reply it could frame.
    return { close: `malformed ${spec.name} v${frame.version} request: ${errorMessage(e)}` };
  }
  const ctx: RequestContext = { ...conn, version: frame.version, clientId };
  let body: Value | null;
  let closeAfter: string | undefined;
  try {
    if (spec.name === "SaslHandshake" || spec.name === "SaslAuthenticate") {
      const reply = conn.sasl
        ? spec.name === "SaslHandshake" && frame.version === 0
          ? {
              body: { ErrorCode: KAFKA.UNSUPPORTED_VERSION, Mechanisms: [...conn.sasl.mechanisms] },
              close: "SaslHandshake v0 (raw SASL frames) is not supported; clients send v1",
            }
          : spec.name === "SaslHandshake"
            ? conn.sasl.handshake(req.Mechanism as string)
            : await conn.sasl.authenticate(req.AuthBytes as Uint8Array, conn.signal)
        : // A listener without SASL: Kafka answers ILLEGAL_SASL_STATE there.
          {
            body: {
              ErrorCode: KAFKA.ILLEGAL_SASL_STATE,
              Mechanisms: [],
              ErrorMessage: null,
              AuthBytes: new Uint8Array(0),
            },
            close: "SASL request on a listener without SASL (start the gateway with --sasl)",
          };
      body = reply.body;
      closeAfter = reply.close;
    } else body = await HANDLERS[spec.name](req, ctx);
  } catch (e) {
    // Failures a handler could not express as an error code (edgelog unreachable during
    // Metadata, a bug): close this connection only; the client reconnects.
    return { close: `${spec.name} failed: ${errorMessage(e)}` };
  }
  if (body === null) return null;
  // ApiVersions always answers with response header v0, even when the request was flexible.
  const headerTags = flexible && frame.apiKey !== API.ApiVersions;
  return { respond: encode(spec.response, frame.version, body).bytes(), headerTags, close: closeAfter };
}

/**
 * A request the gateway does not serve: an API it does not advertise, or a version outside the
 * advertised range. Where the layout is known the request is answered with UNSUPPORTED_VERSION
 * in its error fields, so a client that skipped version negotiation hears why; an unknown key or
 * version can only be refused by closing, as Kafka does. Logged once per client, API and version.
 */
function unsupported(frame: Frame, conn: ConnectionContext): Outcome {
  const served = BY_KEY.get(frame.apiKey);
  const known = served ? { name: served.name, max: served.max, messages: served } : KNOWN.get(frame.apiKey);
  const what = `${known?.name ?? `api key ${frame.apiKey}`} v${frame.version}`;
  conn.notice(
    `${clientIdOf(frame)}/${frame.apiKey}/${frame.version}`,
    `client ${clientIdOf(frame)} sent ${what}, which the gateway does not serve`,
  );
  if (!known || frame.version < 0 || frame.version > known.max)
    return { close: `unsupported request: api key ${frame.apiKey} version ${frame.version}` };
  const { messages } = known;
  try {
    readRequest(frame, messages.request);
  } catch (e) {
    return { close: `malformed ${what} request: ${errorMessage(e)}` };
  }
  const body = errorBody(messages.response.fields, frame.version, KAFKA.UNSUPPORTED_VERSION);
  return {
    respond: encode(messages.response, frame.version, body).bytes(),
    headerTags: frame.version >= messages.request.flexibleFrom,
  };
}

/** A response carrying `code` in its top-level ErrorCode (arrays left empty, the rest at defaults). */
function errorBody(fields: Schema["fields"], version: number, code: number): Value {
  const out: Value = {};
  for (const f of fields) if (f.name === "ErrorCode" && version >= f.min && version <= f.max) out.ErrorCode = code;
  return out;
}
