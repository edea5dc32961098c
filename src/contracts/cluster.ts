// What the router and the other objects exchange with the controller object (ClusterDO): its RPC
// methods and the registries' records.

import type { GrantInput } from "../auth/grants.js";
import type { ScramCredentials, ScramMechanism } from "../auth/scram.js";
import type { Quotas } from "../auth/quota.js";
import type { Result } from "../protocol/errors.js";
import type { Topic } from "../protocol/topic.js";

/** The one controller object (`cluster`). Every method answers a Result. */
export interface ClusterRpc {
  createTopic(input: CreateTopicInput): Promise<Result<Topic>>;
  getTopic(name: string): Promise<Result<Topic>>;
  /** Topics in name order: all of them, or `limit` after `after`. */
  listTopics(page?: { after?: string; limit?: number }): Promise<Result<Topic[]>>;
  alterTopic(name: string, input: AlterTopicInput): Promise<Result<Topic>>;
  /** Gone from the registry at once; its partitions are told to drop their storage. */
  deleteTopic(name: string): Promise<Result<Topic>>;

  /** `owner` is the caller's token id: an id may be re-initialised (fenced) only by the token that got it, or the admin. */
  initProducer(id?: string, owner?: string | null): Promise<Result<ProducerIdentity>>;
  getProducer(id: string): Promise<Result<ProducerRecord>>;

  /** `scram`: the SCRAM credentials derived from the new token's secret (the secret itself is never stored). */
  createToken(token: StoredToken, scram?: ScramCredentials): Promise<Result<TokenInfo>>;
  /** The stored token with its secret's hash, for the router to verify against; null when unknown or revoked. */
  getToken(id: string): Promise<Result<StoredToken | null>>;
  listTokens(): Promise<Result<TokenInfo[]>>;
  deleteToken(id: string): Promise<Result<null>>;

  // SASL sign-ins on a Kafka gateway's behalf (POST /v1/sasl/*).
  setScramCredentials(tokenId: string, scram: ScramCredentials): Promise<Result<null>>;
  scramFirst(mech: ScramMechanism, clientFirst: string): Promise<Result<{ exchange: string; server_first: string }>>;
  scramFinal(exchange: string, clientFinal: string): Promise<Result<SaslSession & { server_final: string }>>;
  saslPlain(username: string, password: string): Promise<Result<SaslSession>>;
  /** The token a SASL session acts as; null when unknown, expired or revoked. */
  getSessionToken(credential: string): Promise<Result<StoredToken | null>>;

  /** A coordinator announces its group once it holds state (members or offsets), so it can be listed. */
  registerGroup(groupId: string): Promise<Result<null>>;
  forgetGroup(groupId: string): Promise<Result<null>>;
  listGroups(): Promise<Result<string[]>>;

  /** A transaction coordinator announces its id once it holds state, so it can be listed. */
  registerTransaction(transactionalId: string): Promise<Result<null>>;
  forgetTransaction(transactionalId: string): Promise<Result<null>>;
  listTransactions(): Promise<Result<string[]>>;

  registerMirror(entry: MirrorEntry): Promise<Result<MirrorEntry>>;
  getMirror(name: string): Promise<Result<MirrorEntry>>;
  listMirrors(): Promise<Result<MirrorEntry[]>>;
  forgetMirror(name: string): Promise<Result<MirrorEntry>>;

  /** The connector directory (each connector's config and state live in its ConnectorDO). */
  putConnector(entry: ConnectorEntry): Promise<Result<null>>;
  listConnectors(): Promise<Result<ConnectorEntry[]>>;
  forgetConnector(name: string): Promise<Result<null>>;
}

/** Validated by the controller, so the router may pass a request body through. */
export interface CreateTopicInput {
  name: unknown;
  partitions?: unknown;
  config?: unknown;
}

export interface AlterTopicInput {
  partitions?: unknown;
  /** Keys to set; a null value resets that key to its default (Kafka's DELETE alter op). */
  config?: unknown;
}

export interface ProducerIdentity {
  /** A Kafka int64 producer id, as a decimal string so JSON keeps every digit. */
  id: string;
  epoch: number;
}

/** An issued id as the router checks it: the epoch, and who may write with it. */
export interface ProducerRecord extends ProducerIdentity {
  /**
   * The token id that got it, or "admin". Null for ids issued with auth off or before owners were
   * recorded: any producer-capable token may use those.
   */
  owner: string | null;
}

export interface TokenInfo {
  id: string;
  name: string;
  grants: GrantInput[];
  quotas: Quotas | null;
  /** ms since the epoch, or null for a token that does not expire. */
  expires_at: number | null;
  created_at: number;
  /** The id of the token that created it ("admin" for the EDGELOG_ADMIN_TOKEN secret). */
  created_by: string;
}

export interface StoredToken extends TokenInfo {
  /** Hex SHA-256 of the secret part. */
  secret_hash: string;
}

/** A signed-in Kafka gateway connection's session. */
export interface SaslSession {
  /** `elgs_<id>_<secret>`: a bearer credential acting as the token. */
  session: string;
  token_id: string;
  expires_at: number;
}

/** Which connectors exist: for listing, and for routing a queue's batches to the queues-source reading it. */
export interface ConnectorEntry {
  name: string;
  class: string;
  /** For a queues-source: the queue whose batches it writes. */
  queue: string | null;
  created_at: number;
}

export interface MirrorEntry {
  name: string;
  /** Minted at creation: progress is keyed by it, so a recreated mirror starts afresh. */
  id: string;
  created_at: number;
}
