// ClusterDO: the single controller object. Owns the topic, producer-id and token registries; tells partitions of deletions.

import { DurableObject } from "cloudflare:workers";
import { readSettings, type Env } from "../env.js";
import { fail, ok, type Result } from "../protocol/errors.js";
import { partitionObjectName, type Topic } from "../protocol/topic.js";
import { migrate } from "../util/migrations.js";
import { ProducerRegistry, type ProducerIdentity, type ProducerRecord } from "./producer-registry.js";
import { CLUSTER_MIGRATIONS } from "./schema.js";
import { GroupDirectory } from "./groups.js";
import { MirrorDirectory, type MirrorEntry } from "./mirrors.js";
import { TokenRegistry, type StoredToken, type TokenInfo } from "./tokens.js";
import { SaslStore, type SaslSession } from "./sasl.js";
import type { ScramCredentials, ScramMechanism } from "../auth/scram.js";
import { TopicRegistry, unknownTopic, type AlterTopicInput, type CreateTopicInput } from "./topics.js";

/** Retry interval for removing a deleted topic's partitions when a drop call failed. */
const DELETE_RETRY_MS = 30_000;

export class ClusterDO extends DurableObject<Env> {
  readonly #topics: TopicRegistry;
  readonly #producers: ProducerRegistry;
  readonly #groups: GroupDirectory;
  readonly #tokens: TokenRegistry;
  readonly #sasl: SaslStore;
  readonly #mirrors: MirrorDirectory;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    migrate(ctx.storage.sql, CLUSTER_MIGRATIONS);
    this.#topics = new TopicRegistry(ctx.storage.sql);
    this.#producers = new ProducerRegistry(ctx.storage.sql);
    this.#groups = new GroupDirectory(ctx.storage.sql);
    this.#tokens = new TokenRegistry(ctx.storage.sql);
    this.#sasl = new SaslStore(ctx.storage.sql, this.#tokens);
    this.#mirrors = new MirrorDirectory(ctx.storage.kv);
  }

  /** `scram`: the SCRAM credentials derived from the new token's secret (the secret itself is never stored). */
  async createToken(token: StoredToken, scram?: ScramCredentials): Promise<TokenInfo> {
    const info = this.#tokens.create(token);
    if (scram) this.#sasl.setScram(token.id, scram);
    return info;
  }

  async setScramCredentials(tokenId: string, scram: ScramCredentials): Promise<void> {
    this.#sasl.setScram(tokenId, scram);
  }

  async scramFirst(
    mech: ScramMechanism,
    clientFirst: string,
  ): Promise<Result<{ exchange: string; server_first: string }>> {
    return this.#sasl.scramFirst(mech, clientFirst, Date.now()).then(ok, fail);
  }

  async scramFinal(exchange: string, clientFinal: string): Promise<Result<SaslSession & { server_final: string }>> {
    return this.#sasl.scramFinal(exchange, clientFinal, Date.now()).then(ok, fail);
  }

  async saslPlain(username: string, password: string): Promise<Result<SaslSession>> {
    return this.#sasl.plain(username, password, Date.now()).then(ok, fail);
  }

  /** The token a SASL session acts as, for the router to authorize with; null when unknown, expired or revoked. */
  async getSessionToken(credential: string): Promise<StoredToken | null> {
    return (await this.#sasl.session(credential, Date.now())) ?? null;
  }

  /** The stored token with its secret's hash, for the router to verify against; null when unknown or revoked. */
  async getToken(id: string): Promise<StoredToken | null> {
    return this.#tokens.get(id) ?? null;
  }

  async listTokens(): Promise<TokenInfo[]> {
    return this.#tokens.list();
  }

  async deleteToken(id: string): Promise<Result<null>> {
    try {
      this.#tokens.delete(id);
      this.#sasl.forgetToken(id);
      return ok(null);
    } catch (e) {
      return fail(e);
    }
  }

  /** `owner` is the caller's token id: an id may be re-initialised (fenced) only by the token that got it, or the admin. */
  async initProducer(id?: string, owner: string | null = null): Promise<Result<ProducerIdentity>> {
    try {
      return ok(this.#producers.init(id, Date.now(), owner));
    } catch (e) {
      return fail(e);
    }
  }

  async getProducer(id: string): Promise<Result<ProducerRecord>> {
    try {
      return ok(this.#producers.get(id));
    } catch (e) {
      return fail(e);
    }
  }

  /** A coordinator announces its group once it holds state (members or offsets), so it can be listed. */
  async registerGroup(groupId: string): Promise<void> {
    this.#groups.add(groupId, Date.now());
  }

  async forgetGroup(groupId: string): Promise<void> {
    this.#groups.remove(groupId);
  }

  async listGroups(): Promise<string[]> {
    return this.#groups.list();
  }

  async registerMirror(entry: MirrorEntry): Promise<Result<MirrorEntry>> {
    try {
      this.#mirrors.add(entry);
      return ok(entry);
    } catch (e) {
      return fail(e);
    }
  }

  async getMirror(name: string): Promise<Result<MirrorEntry>> {
    try {
      return ok(this.#mirrors.get(name));
    } catch (e) {
      return fail(e);
    }
  }

  async listMirrors(): Promise<MirrorEntry[]> {
    return this.#mirrors.list();
  }

  async forgetMirror(name: string): Promise<Result<MirrorEntry>> {
    try {
      return ok(this.#mirrors.remove(name));
    } catch (e) {
      return fail(e);
    }
  }

  async createTopic(input: CreateTopicInput): Promise<Result<Topic>> {
    try {
      return ok(this.#topics.create(input, Date.now(), readSettings(this.env).maxTopics));
    } catch (e) {
      return fail(e);
    }
  }

  async getTopic(name: string): Promise<Result<Topic>> {
    const t = this.#topics.get(name);
    return t ? ok(t) : fail(unknownTopic(name));
  }

  /** Topics in name order: all of them, or `limit` after `after`. */
  async listTopics(page: { after?: string; limit?: number } = {}): Promise<Topic[]> {
    return this.#topics.list(page);
  }

  async alterTopic(name: string, input: AlterTopicInput): Promise<Result<Topic>> {
    try {
      return ok(this.#topics.alter(name, input));
    } catch (e) {
      return fail(e);
    }
  }

  /**
   * Deletes the topic: gone from the registry at once (a new topic of the same name gets a new
   * id, so it never sees old data), its partitions told to drop their storage.
   */
  async deleteTopic(name: string): Promise<Result<Topic>> {
    let topic: Topic;
    try {
      topic = this.#topics.delete(name, Date.now());
    } catch (e) {
      return fail(e);
    }
    await this.#dropPartitions();
    return ok(topic);
  }

  override async alarm(): Promise<void> {
    await this.#dropPartitions();
  }

  async #dropPartitions(): Promise<void> {
    for (const { id, partitions } of this.#topics.pendingDeletes()) {
      const drops = Array.from({ length: partitions }, (_, p) =>
        this.env.PARTITION.getByName(partitionObjectName(id, p)).drop(),
      );
      const results = await Promise.allSettled(drops);
      if (results.every((r) => r.status === "fulfilled")) this.#topics.forgetDeleted(id);
      else await this.ctx.storage.setAlarm(Date.now() + DELETE_RETRY_MS);
    }
  }
}
