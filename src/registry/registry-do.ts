// SchemaRegistryDO: the one schema registry object (subjects, versions, global ids, levels, modes).
// A thin adapter: each RPC method runs one SchemaRegistry operation in a transaction.

import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.js";
import { rpc } from "../contracts/rpc.js";
import type { Result } from "../protocol/errors.js";
import type { RegistryMode, SchemaById, SchemaRequest, SubjectVersion } from "../protocol/registry-api.js";
import type { CompatibilityLevel } from "../schemas/compatibility.js";
import type { ResolvedReference, SchemaType } from "../schemas/formats.js";
import { migrate } from "../util/migrations.js";
import { SchemaRegistry } from "./registry.js";
import type { RegistryRpc, VersionRef } from "../contracts/registry.js";
import { RegistryStore } from "./store.js";
import { REGISTRY_MIGRATIONS } from "./tables.js";

export class SchemaRegistryDO extends DurableObject<Env> implements RegistryRpc {
  readonly #registry: SchemaRegistry;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    migrate(ctx.storage.sql, REGISTRY_MIGRATIONS);
    this.#registry = new SchemaRegistry(new RegistryStore(ctx.storage.sql));
  }

  /** One SchemaRegistry operation in one transaction, in the RPC envelope. */
  #run<T>(fn: (r: SchemaRegistry) => T): Promise<Result<T>> {
    return rpc(() => this.ctx.storage.transactionSync(() => fn(this.#registry)));
  }

  async register(subject: string, req: SchemaRequest): Promise<Result<{ id: number }>> {
    return this.#run((r) => r.register(subject, req));
  }

  async lookup(subject: string, req: SchemaRequest, deleted: boolean): Promise<Result<SubjectVersion>> {
    return this.#run((r) => r.lookup(subject, req, deleted));
  }

  async getVersion(subject: string, version: VersionRef, deleted: boolean): Promise<Result<SubjectVersion>> {
    return this.#run((r) => r.getVersion(subject, version, deleted));
  }

  async listVersions(subject: string, deleted: boolean): Promise<Result<number[]>> {
    return this.#run((r) => r.listVersions(subject, deleted));
  }

  async subjects(deleted: boolean, prefix: string): Promise<Result<string[]>> {
    return this.#run((r) => r.subjects(deleted, prefix));
  }

  async schemaById(id: number): Promise<Result<SchemaById>> {
    return this.#run((r) => r.schemaById(id));
  }

  async schemaWithRefs(id: number): Promise<Result<{ type: SchemaType; text: string; refs: ResolvedReference[] }>> {
    return this.#run((r) => r.schemaWithRefs(id));
  }

  async subjectsOf(id: number, deleted: boolean): Promise<Result<string[]>> {
    return this.#run((r) => r.subjectsOf(id, deleted));
  }

  async versionsOf(id: number, deleted: boolean): Promise<Result<{ subject: string; version: number }[]>> {
    return this.#run((r) => r.versionsOf(id, deleted));
  }

  async isRegisteredUnder(subject: string, id: number): Promise<Result<boolean>> {
    return this.#run((r) => r.isRegisteredUnder(subject, id));
  }

  async referencedBy(subject: string, version: VersionRef): Promise<Result<number[]>> {
    return this.#run((r) => r.referencedBy(subject, version));
  }

  async checkCompatibility(
    subject: string,
    version: VersionRef | undefined,
    req: SchemaRequest,
  ): Promise<Result<string[]>> {
    return this.#run((r) => r.checkCompatibility(subject, version, req));
  }

  async deleteSubject(subject: string, permanent: boolean): Promise<Result<number[]>> {
    return this.#run((r) => r.deleteSubject(subject, permanent));
  }

  async deleteVersion(subject: string, version: VersionRef, permanent: boolean): Promise<Result<number>> {
    return this.#run((r) => r.deleteVersion(subject, version, permanent));
  }

  async getLevel(subject: string | undefined, defaultToGlobal: boolean): Promise<Result<CompatibilityLevel>> {
    return this.#run((r) => r.getLevel(subject, defaultToGlobal));
  }

  async setLevel(subject: string | undefined, level: string): Promise<Result<CompatibilityLevel>> {
    return this.#run((r) => r.setLevel(subject, level));
  }

  async deleteLevel(subject: string | undefined): Promise<Result<CompatibilityLevel>> {
    return this.#run((r) => r.deleteLevel(subject));
  }

  async getMode(subject: string | undefined, defaultToGlobal: boolean): Promise<Result<RegistryMode>> {
    return this.#run((r) => r.getMode(subject, defaultToGlobal));
  }

  async setMode(subject: string | undefined, mode: string): Promise<Result<RegistryMode>> {
    return this.#run((r) => r.setMode(subject, mode));
  }

  async deleteMode(subject: string): Promise<Result<RegistryMode>> {
    return this.#run((r) => r.deleteMode(subject));
  }
}
