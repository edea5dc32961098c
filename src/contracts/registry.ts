// What the router exchanges with the schema registry object (SchemaRegistryDO): its RPC methods.

import type { Result } from "../protocol/errors.js";
import type { RegistryMode, SchemaById, SchemaRequest, SubjectVersion } from "../protocol/registry-api.js";
import type { CompatibilityLevel } from "../schemas/compatibility.js";
import type { ResolvedReference, SchemaType } from "../schemas/formats.js";

/** A subject's version by number, or its newest. */
export type VersionRef = number | "latest";

/** The one schema registry object (`registry`). Every method answers a Result. */
export interface RegistryRpc {
  register(subject: string, req: SchemaRequest): Promise<Result<{ id: number }>>;
  lookup(subject: string, req: SchemaRequest, deleted: boolean): Promise<Result<SubjectVersion>>;
  getVersion(subject: string, version: VersionRef, deleted: boolean): Promise<Result<SubjectVersion>>;
  listVersions(subject: string, deleted: boolean): Promise<Result<number[]>>;
  subjects(deleted: boolean, prefix: string): Promise<Result<string[]>>;
  schemaById(id: number): Promise<Result<SchemaById>>;
  schemaWithRefs(id: number): Promise<Result<{ type: SchemaType; text: string; refs: ResolvedReference[] }>>;
  subjectsOf(id: number, deleted: boolean): Promise<Result<string[]>>;
  versionsOf(id: number, deleted: boolean): Promise<Result<{ subject: string; version: number }[]>>;
  isRegisteredUnder(subject: string, id: number): Promise<Result<boolean>>;
  referencedBy(subject: string, version: VersionRef): Promise<Result<number[]>>;
  checkCompatibility(subject: string, version: VersionRef | undefined, req: SchemaRequest): Promise<Result<string[]>>;
  deleteSubject(subject: string, permanent: boolean): Promise<Result<number[]>>;
  deleteVersion(subject: string, version: VersionRef, permanent: boolean): Promise<Result<number>>;
  getLevel(subject: string | undefined, defaultToGlobal: boolean): Promise<Result<CompatibilityLevel>>;
  setLevel(subject: string | undefined, level: string): Promise<Result<CompatibilityLevel>>;
  deleteLevel(subject: string | undefined): Promise<Result<CompatibilityLevel>>;
  getMode(subject: string | undefined, defaultToGlobal: boolean): Promise<Result<RegistryMode>>;
  setMode(subject: string | undefined, mode: string): Promise<Result<RegistryMode>>;
  deleteMode(subject: string): Promise<Result<RegistryMode>>;
}
