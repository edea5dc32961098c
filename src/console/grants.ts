// What a token's grants let it do, in words, for the preview before a token is created: the
// resource a grant matches and every operation it holds with the ones they imply (admin implies the
// rest; produce and consume imply describe), as docs/operations.md#grants defines them.

export const OPERATIONS = ["produce", "consume", "describe", "admin"] as const;
export type Operation = (typeof OPERATIONS)[number];

export interface GrantInput {
  resource: string;
  operations: Operation[];
}

const ALLOWS: Record<"topic" | "group" | "cluster", Partial<Record<Operation, string>>> = {
  topic: {
    describe: "see it in listings, describe its partitions and look up offsets",
    produce: "produce records",
    consume: "fetch records and follow live tails",
    admin: "create, change and delete it",
  },
  group: {
    describe: "see its members, committed offsets and lag",
    consume: "join it, commit offsets and reset them",
    admin: "delete it",
  },
  cluster: {
    describe: "list tokens and mirrors",
    admin: "create and revoke tokens, create and remove mirrors",
  },
};

/** The operations a grant holds once implications are applied, in a fixed order. */
export function effectiveOperations(ops: Operation[]): Operation[] {
  const held = new Set(ops);
  if (held.has("admin")) for (const o of OPERATIONS) held.add(o);
  if (held.has("produce") || held.has("consume")) held.add("describe");
  return OPERATIONS.filter((o) => held.has(o));
}

export function describeResource(resource: string): string {
  if (resource === "cluster") return "the cluster";
  const m = /^(topic|group):(.*)$/.exec(resource);
  if (!m) return `unknown resource ${JSON.stringify(resource)} (the API will refuse it)`;
  const [, kind, pattern] = m as unknown as [string, "topic" | "group", string];
  const noun = kind === "topic" ? "topic" : "consumer group";
  if (pattern === "*") return `every ${noun}`;
  if (pattern.endsWith("*")) return `every ${noun} whose name starts with "${pattern.slice(0, -1)}"`;
  return `the ${noun} "${pattern}"`;
}

/** One line per grant: on what, and what it may do there. */
export function previewGrants(grants: GrantInput[]): string[] {
  return grants.map((g) => {
    const kind = g.resource === "cluster" ? "cluster" : (g.resource.split(":")[0] as "topic" | "group");
    const table = ALLOWS[kind] ?? {};
    const ops = effectiveOperations(g.operations);
    const what = ops
      .map((o) => table[o] ?? `${o} (no meaning on ${kind === "cluster" ? "the cluster" : `a ${kind}`})`)
      .join("; ");
    return `On ${describeResource(g.resource)}: ${what || "nothing"} (${ops.join(", ")})`;
  });
}
