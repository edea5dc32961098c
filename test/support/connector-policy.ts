// What an exactly-once source connector's token needs (docs/connectors.md, "Exactly-once sources"),
// written out by hand: deliberately not derived from the router (src/router/connector-save.ts, which
// mints the token, or the route permissions), so weakening either fails the tests that read this.

export interface NeededGrant {
  resource: string;
  operations: string[];
  /** Why the task needs it, and the code a write gets without it. */
  for: string;
  refused: "TOPIC_AUTHORIZATION_FAILED" | "TRANSACTIONAL_ID_AUTHORIZATION_FAILED" | "GROUP_AUTHORIZATION_FAILED";
}

/** Connector `name`'s grants when it writes `topic` exactly once (KIP-618) */
export function exactlyOnceSourceGrants(name: string, topic: string): NeededGrant[] {
  return [
    { resource: `topic:${topic}`, operations: ["produce"], for: "its records", refused: "TOPIC_AUTHORIZATION_FAILED" },
    {
      resource: `transactional-id:connect-${name}-0`,
      operations: ["write"],
      for: "its transactions (init, add partitions and offsets, commit)",
      refused: "TRANSACTIONAL_ID_AUTHORIZATION_FAILED",
    },
    {
      resource: `group:connect-${name}`,
      operations: ["consume"],
      for: "its source offset, committed in the transaction as this group's offset",
      refused: "GROUP_AUTHORIZATION_FAILED",
    },
    {
      resource: `topic:${topic}`,
      operations: ["consume"],
      for: "the topic partition that offset is committed under (Kafka checks READ on it)",
      refused: "TOPIC_AUTHORIZATION_FAILED",
    },
  ];
}

/** The grants as the tokens API spells them. */
export const asGrants = (needed: NeededGrant[]) => needed.map(({ resource, operations }) => ({ resource, operations }));
