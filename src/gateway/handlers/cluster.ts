// DescribeCluster and the ACL APIs. Kafka's ACLs are rules on (principal, resource, operation);
// edgelog's grants belong to tokens, fixed when a token is minted. DescribeAcls shows each token's
// grants as ALLOW ACLs for principal User:<token id>; CreateAcls and DeleteAcls cannot change a
// token's grants and say so per ACL (mint or revoke tokens over HTTP instead).

import type { TokenInfo } from "../../protocol/api.js";
import type { Value } from "../wire/codec.js";
import { DENIED, errorMessage, failure, KAFKA, NONE } from "../errors.js";
import { CLUSTER_ID, NODE_ID, type Handler } from "./context.js";

/** Kafka's ResourceType, PatternType, AclOperation and AclPermissionType codes. */
const RT = { ANY: 1, TOPIC: 2, GROUP: 3, CLUSTER: 4 } as const;
const PATTERN = { ANY: 1, MATCH: 2, LITERAL: 3, PREFIXED: 4 } as const;
const OPERATION = { ANY: 1, ALL: 2, READ: 3, WRITE: 4, DESCRIBE: 8 } as const;
const PERMISSION = { ANY: 1, ALLOW: 3 } as const;
/** Kafka's name for the cluster resource. */
const CLUSTER_RESOURCE = "kafka-cluster";

export const describeCluster: Handler = async (_req, ctx) => ({
  ThrottleTimeMs: 0,
  ErrorCode: NONE,
  ErrorMessage: null,
  EndpointType: 1,
  ClusterId: CLUSTER_ID,
  ControllerId: NODE_ID,
  Brokers: [{ BrokerId: NODE_ID, Host: ctx.identity.host, Port: ctx.identity.port, Rack: null, IsFenced: false }],
  ClusterAuthorizedOperations: -2147483648,
});

interface Acl {
  ResourceType: number;
  ResourceName: string;
  PatternType: number;
  Principal: string;
  Host: string;
  Operation: number;
  PermissionType: number;
}

/** One token's grants as Kafka ACLs (edgelog's operations named as Kafka's: produce WRITE, consume READ, admin ALL). */
function aclsOf(token: TokenInfo): Acl[] {
  const out: Acl[] = [];
  for (const g of token.grants) {
    let type: number;
    let name: string;
    let pattern: number = PATTERN.LITERAL;
    if (g.resource === "cluster") {
      type = RT.CLUSTER;
      name = CLUSTER_RESOURCE;
    } else {
      const m = /^(topic|group):(.*)$/.exec(g.resource);
      if (!m) continue; // Subjects (the schema registry's) have no Kafka ACL resource.
      type = m[1] === "topic" ? RT.TOPIC : RT.GROUP;
      name = m[2]!;
      if (name.endsWith("*") && name !== "*") {
        name = name.slice(0, -1);
        pattern = PATTERN.PREFIXED;
      }
    }
    for (const op of g.operations) {
      const operation =
        op === "produce"
          ? OPERATION.WRITE
          : op === "consume"
            ? OPERATION.READ
            : op === "describe"
              ? OPERATION.DESCRIBE
              : op === "admin"
                ? OPERATION.ALL
                : 0;
      if (operation === 0) continue;
      out.push({
        ResourceType: type,
        ResourceName: name,
        PatternType: pattern,
        Principal: `User:${token.id}`,
        Host: "*",
        Operation: operation,
        PermissionType: PERMISSION.ALLOW,
      });
    }
  }
  return out;
}

interface AclFilter {
  ResourceTypeFilter: number;
  ResourceNameFilter: string | null;
  PatternTypeFilter?: number;
  PrincipalFilter: string | null;
  HostFilter: string | null;
  Operation: number;
  PermissionType: number;
}

function matches(acl: Acl, f: AclFilter): boolean {
  const pattern = f.PatternTypeFilter ?? PATTERN.LITERAL;
  if (f.ResourceTypeFilter !== RT.ANY && f.ResourceTypeFilter !== acl.ResourceType) return false;
  if (f.ResourceNameFilter !== null) {
    if (pattern === PATTERN.MATCH) {
      // MATCH: the ACLs that would apply to that literal name.
      const applies =
        acl.ResourceName === "*" ||
        (acl.PatternType === PATTERN.LITERAL && acl.ResourceName === f.ResourceNameFilter) ||
        (acl.PatternType === PATTERN.PREFIXED && f.ResourceNameFilter.startsWith(acl.ResourceName));
      if (!applies) return false;
    } else if (acl.ResourceName !== f.ResourceNameFilter) return false;
  }
  if (pattern !== PATTERN.ANY && pattern !== PATTERN.MATCH && pattern !== acl.PatternType) return false;
  if (f.PrincipalFilter !== null && f.PrincipalFilter !== acl.Principal) return false;
  if (f.HostFilter !== null && f.HostFilter !== acl.Host) return false;
  if (f.Operation !== OPERATION.ANY && f.Operation !== acl.Operation) return false;
  if (f.PermissionType !== PERMISSION.ANY && f.PermissionType !== acl.PermissionType) return false;
  return true;
}

/** Every token's grants as ACLs, or the Kafka code explaining why there are none to show. */
async function allAcls(ctx: Parameters<Handler>[1]): Promise<Acl[] | { code: number; message: string }> {
  try {
    // Kafka without an authorizer answers SECURITY_DISABLED; so does edgelog without authentication.
    if (!(await ctx.upstream.authRequired(ctx.signal)))
      return { code: KAFKA.SECURITY_DISABLED, message: "edgelog runs with authentication off: there are no grants" };
    return (await ctx.upstream.listTokens(ctx.signal)).flatMap(aclsOf);
  } catch (e) {
    return { code: failure(e, KAFKA.NOT_LEADER_OR_FOLLOWER, DENIED.cluster), message: errorMessage(e) };
  }
}

export const describeAcls: Handler = async (req, ctx) => {
  const acls = await allAcls(ctx);
  if (!Array.isArray(acls))
    return { ThrottleTimeMs: 0, ErrorCode: acls.code, ErrorMessage: acls.message, Resources: [] };
  const byResource = new Map<string, Value & { Acls: Acl[] }>();
  for (const acl of acls.filter((a) => matches(a, req as unknown as AclFilter))) {
    const key = `${acl.ResourceType}/${acl.PatternType}/${acl.ResourceName}`;
    let r = byResource.get(key);
    if (!r) {
      r = { ResourceType: acl.ResourceType, ResourceName: acl.ResourceName, PatternType: acl.PatternType, Acls: [] };
      byResource.set(key, r);
    }
    r.Acls.push(acl);
  }
  return { ThrottleTimeMs: 0, ErrorCode: NONE, ErrorMessage: null, Resources: [...byResource.values()] };
};

const IMMUTABLE =
  "edgelog's grants are fixed when a token is minted: mint a token with the grants you need (POST /v1/tokens) or revoke one (DELETE /v1/tokens/{id})";

export const createAcls: Handler = async (req) => ({
  ThrottleTimeMs: 0,
  Results: (req.Creations as unknown[]).map(() => ({ ErrorCode: KAFKA.INVALID_REQUEST, ErrorMessage: IMMUTABLE })),
});

export const deleteAcls: Handler = async (req, ctx) => {
  const filters = req.Filters as AclFilter[];
  const acls = await allAcls(ctx);
  return {
    ThrottleTimeMs: 0,
    FilterResults: filters.map((f) => {
      if (!Array.isArray(acls)) return { ErrorCode: acls.code, ErrorMessage: acls.message, MatchingAcls: [] };
      // Nothing matching: nothing to delete, which is success in Kafka too.
      if (!acls.some((a) => matches(a, f))) return { ErrorCode: NONE, ErrorMessage: null, MatchingAcls: [] };
      return { ErrorCode: KAFKA.INVALID_REQUEST, ErrorMessage: IMMUTABLE, MatchingAcls: [] };
    }),
  };
};
