// ClusterDO: the single controller object. Owns the topic, producer-id and token registries; tells partitions of deletions.

import { DurableObject } from "cloudflare:workers";
import { type Env } from "../env.js";
import { readSettings } from "../settings.js";
import { unwrap, type Result } from "../protocol/errors.js";
import { rpc } from "../contracts/rpc.js";
import type { Topic } from "../protocol/topic.js";
import { migrate } from "../util/migrations.js";
import { ProducerRegistry } from "./producer-registry.js";
import { CLUSTER_MIGRATIONS } from "./schema.js";
import { GroupDirectory } from "./groups.js";
import { TransactionDirectory } from "./transactions.js";
import { clusterKv } from "./keys.js";
import { ConnectorDirectory } from "./connectors.js";
import { MirrorDirectory } from "./mirrors.js";
import { TokenRegistry } from "./tokens.js";
import { SaslStore } from "./sasl.js";
import type { ScramCredentials, ScramMechanism } from "../auth/scram.js";
import { TopicRegistry, unknownTopic } from "./topics.js";
import type {
  AlterTopicInput,
  ClusterRpc,
  ConnectorEntry,
  CreateTopicInput,
  MirrorEntry,
  ProducerIdentity,
  ProducerRecord,
  SaslSession,
  StoredToken,
  TokenInfo,
} from "../contracts/cluster.js";
import { partitionObject } from "../objects.js";

/** Retry interval for removing a deleted topic's partitions when a drop call failed. */
const DELETE_RETRY_MS = 30_000;

export class ClusterDO extends DurableObject<Env> implements ClusterRpc {
  readonly #topics: TopicRegistry;
  readonly #producers: ProducerRegistry;
  readonly #groups: GroupDirectory;
  readonly #transactions: TransactionDirectory;
  readonly #tokens: TokenRegistry;
  readonly #sasl: SaslStore;
  readonly #mirrors: MirrorDirectory;
  readonly #connectors: ConnectorDirectory;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    migrate(ctx.storage.sql, CLUSTER_MIGRATIONS);
    this.#topics = new TopicRegistry(ctx.storage.sql);
    this.#producers = new ProducerRegistry(ctx.storage.sql);
    this.#groups = new GroupDirectory(ctx.storage.sql);
    this.#transactions = new TransactionDirectory(ctx.storage.sql);
    this.#tokens = new TokenRegistry(ctx.storage.sql);
    this.#sasl = new SaslStore(ctx.storage.sql, this.#tokens);
    this.#mirrors = new MirrorDirectory(clusterKv(ctx.storage));
    this.#connectors = new ConnectorDirectory(clusterKv(ctx.storage));
  }

  /** `scram`: the SCRAM credentials derived from the new token's secret (the secret itself is never stored). */
  async createToken(token: StoredToken, scram?: ScramCredentials): Promise<Result<TokenInfo>> {
    return rpc(() => {
      const info = this.#tokens.create(token);
      if (scram) this.#sasl.setScram(token.id, scram);
      return info;
    });
  }

  async setScramCredentials(tokenId: string, scram: ScramCredentials): Promise<Result<null>> {
    return rpc(() => {
      this.#sasl.setScram(tokenId, scram);
      return null;
    });
  }

  async scramFirst(
    mech: ScramMechanism,
    clientFirst: string,
  ): Promise<Result<{ exchange: string; server_first: string }>> {
    return rpc(() => this.#sasl.scramFirst(mech, clientFirst, Date.now()));
  }

  async scramFinal(exchange: string, clientFinal: string): Promise<Result<SaslSession & { server_final: string }>> {
    return rpc(() => this.#sasl.scramFinal(exchange, clientFinal, Date.now()));
  }

  async saslPlain(username: string, password: string): Promise<Result<SaslSession>> {
    return rpc(() => this.#sasl.plain(username, password, Date.now()));
  }

  /** The token a SASL session acts as, for the router to authorize with; null when unknown, expired or revoked. */
  async getSessionToken(credential: string): Promise<Result<StoredToken | null>> {
    return rpc(async () => (await this.#sasl.session(credential, Date.now())) ?? null);
  }

  /** The stored token with its secret's hash, for the router to verify against; null when unknown or revoked. */
  async getToken(id: string): Promise<Result<StoredToken | null>> {
    return rpc(() => this.#tokens.get(id) ?? null);
  }

  async listTokens(): Promise<Result<TokenInfo[]>> {
    return rpc(() => this.#tokens.list());
  }

  async deleteToken(id: string): Promise<Result<null>> {
    return rpc(() => {
      this.#tokens.delete(id);
      this.#sasl.forgetToken(id);
      return null;
    });
  }

  /** `owner` is the caller's token id: an id may be re-initialised (fenced) only by the token that got it, or the admin. */
  async initProducer(id?: string, owner: string | null = null): Promise<Result<ProducerIdentity>> {
    return rpc(() => this.#producers.init(id, Date.now(), owner));
  }

  async getProducer(id: string): Promise<Result<ProducerRecord>> {
    return rpc(() => this.#producers.get(id));
  }

  /** A coordinator announces its group once it holds state (members or offsets), so it can be listed. */
  async registerGroup(groupId: string): Promise<Result<null>> {
    return rpc(() => {
      this.#groups.add(groupId, Date.now());
      return null;
    });
  }

  async forgetGroup(groupId: string): Promise<Result<null>> {
    return rpc(() => {
      this.#groups.remove(groupId);
      return null;
    });
  }

  async registerTransaction(transactionalId: string): Promise<Result<null>> {
    return rpc(() => {
      this.#transactions.add(transactionalId, Date.now());
      return null;
    });
  }

  async forgetTransaction(transactionalId: string): Promise<Result<null>> {
    return rpc(() => {
      this.#transactions.remove(transactionalId);
      return null;
    });
  }

  async listTransactions(): Promise<Result<string[]>> {
    return rpc(() => this.#transactions.list());
  }

  async listGroups(): Promise<Result<string[]>> {
    return rpc(() => this.#groups.list());
  }

  async registerMirror(entry: MirrorEntry): Promise<Result<MirrorEntry>> {
    return rpc(() => {
      this.#mirrors.add(entry);
      return entry;
    });
  }

  async getMirror(name: string): Promise<Result<MirrorEntry>> {
    return rpc(() => this.#mirrors.get(name));
  }

  async listMirrors(): Promise<Result<MirrorEntry[]>> {
    return rpc(() => this.#mirrors.list());
  }

  async forgetMirror(name: string): Promise<Result<MirrorEntry>> {
    return rpc(() => this.#mirrors.remove(name));
  }

  async putConnector(entry: ConnectorEntry): Promise<Result<null>> {
    return rpc(() => {
      this.#connectors.put(entry);
      return null;
    });
  }

  async listConnectors(): Promise<Result<ConnectorEntry[]>> {
    return rpc(() => this.#connectors.list());
  }

  async forgetConnector(name: string): Promise<Result<null>> {
    return rpc(() => {
      this.#connectors.remove(name);
      return null;
    });
  }

  async createTopic(input: CreateTopicInput): Promise<Result<Topic>> {
    return rpc(() => this.#topics.create(input, Date.now(), readSettings(this.env).maxTopics));
  }

  async getTopic(name: string): Promise<Result<Topic>> {
    return rpc(() => {
      const topic = this.#topics.get(name);
      if (!topic) throw unknownTopic(name);
      return topic;
    });
  }

  /** Topics in name order: all of them, or `limit` after `after`. */
  async listTopics(page: { after?: string; limit?: number } = {}): Promise<Result<Topic[]>> {
    return rpc(() => this.#topics.list(page));
  }

  async alterTopic(name: string, input: AlterTopicInput): Promise<Result<Topic>> {
    return rpc(() => this.#topics.alter(name, input));
  }

  /**
   * Deletes the topic: gone from the registry at once (a new topic of the same name gets a new
   * id, so it never sees old data), its partitions told to drop their storage.
   */
  async deleteTopic(name: string): Promise<Result<Topic>> {
    return rpc(async () => {
      const topic = this.#topics.delete(name, Date.now());
      await this.#dropPartitions();
      return topic;
    });
  }

  override async alarm(): Promise<void> {
    await this.#dropPartitions();
  }

  async #dropPartitions(): Promise<void> {
    for (const { id, partitions } of this.#topics.pendingDeletes()) {
      const drops = Array.from({ length: partitions }, async (_, p) =>
        unwrap(await partitionObject(this.env, id, p).drop()),
      );
      const results = await Promise.allSettled(drops);
      if (results.every((r) => r.status === "fulfilled")) this.#topics.forgetDeleted(id);
      else await this.ctx.storage.setAlarm(Date.now() + DELETE_RETRY_MS);
    }
  }
}
