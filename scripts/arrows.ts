// Which way dependencies point in src/: what each part may import. scripts/deps.ts enforces it
// (npm test), and CONTRIBUTING.md's table of arrows is generated from it (scripts/docs/tables.ts).

/**
 * What each part of src/ may import besides itself: a folder, or a file at the top (by its name).
 * The order is the layering, lowest first; an arrow may only point down it.
 */
export const ARROWS: Record<string, readonly string[]> = {
  util: [],
  protocol: ["util"],
  // Schema formats, pure and shared with the SDK.
  schemas: ["protocol", "util"],
  auth: ["protocol", "util"],
  // Leader failover's pure parts: the quorum register, the leadership record and its changes.
  leadership: ["protocol", "util"],
  // Counters, reports and the exposition: pure, Node-tested; objects only wire them.
  metrics: ["protocol", "util"],
  contracts: ["auth", "schemas", "leadership", "metrics", "protocol", "util"],
  settings: ["protocol", "util"],
  log: ["contracts", "leadership", "protocol", "util"],
  archive: ["log", "contracts", "protocol", "util"],
  replication: ["log", "leadership", "contracts", "protocol", "util"],
  "durable-streams": ["log", "contracts", "protocol", "util"],
  client: ["schemas", "protocol", "util"],
  env: ["contracts", "settings"],
  objects: ["env"],
  // MirrorDO and the copy it drives; the mirror talks to its source like any client of the API.
  mirror: ["metrics", "client", "contracts", "env", "objects", "settings", "protocol", "util"],
  partition: [
    "metrics",
    "archive",
    "replication",
    "leadership",
    "durable-streams",
    "log",
    "contracts",
    "env",
    "objects",
    "settings",
    "protocol",
    "util",
  ],
  coordinator: ["metrics", "contracts", "env", "objects", "settings", "protocol", "util"],
  // TxnCoordinatorDO and its state machine: one transactional id's coordinator.
  transactions: ["contracts", "env", "objects", "settings", "protocol", "util"],
  controller: ["auth", "durable-streams", "contracts", "env", "objects", "settings", "protocol", "util"],
  registry: ["schemas", "contracts", "env", "objects", "settings", "protocol", "util"],
  // ElectionDO: one voter of a topic's election authority.
  election: ["leadership", "contracts", "env", "objects", "settings", "protocol", "util"],
  // MetricsDO, the aggregates a scrape reads.
  telemetry: ["metrics", "contracts", "env", "objects", "settings", "protocol", "util"],
  router: [
    "leadership",
    "connect",
    "metrics",
    "auth",
    "mirror",
    "registry",
    "durable-streams",
    "schemas",
    "contracts",
    "env",
    "objects",
    "settings",
    "protocol",
    "util",
  ],
  // MemberHostDO: a group member in an object; the router is injected by index.ts, never imported.
  host: ["client", "contracts", "env", "objects", "settings", "protocol", "util"],
  // Connectors: ConnectorDO and the sink tasks it runs on member hosts; their writes go through the
  // router injected by index.ts, as the host's do.
  connect: ["host", "auth", "client", "contracts", "env", "objects", "settings", "protocol", "util"],
  // Stream processing (edgelog/streams): the library, and its Worker mode over member hosts.
  streams: ["host", "client", "contracts", "env", "objects", "settings", "protocol", "util"],
  index: [
    "router",
    "telemetry",
    "partition",
    "coordinator",
    "transactions",
    "controller",
    "mirror",
    "registry",
    "host",
    "election",
    "connect",
  ],
  gateway: ["client", "protocol", "util"],
  // The web console: a browser bundle that calls the API over HTTP only.
  console: ["client", "protocol", "util"],
  cli: ["gateway", "client", "protocol", "util"],
};

/** The parts that may import the Workers runtime (`cloudflare:*`): the object classes and the router. */
export const WORKERS_RUNTIME: readonly string[] = [
  "partition",
  "coordinator",
  "transactions",
  "controller",
  "mirror",
  "registry",
  "host",
  "election",
  "connect",
  "telemetry",
  "router",
  "index",
];

/**
 * Import circles known and not yet broken, each as the files it runs through. The check fails on
 * any other circle, and on a listed one that is gone, so this list cannot outlive its entries.
 */
export const KNOWN_CIRCLES: readonly { files: readonly string[]; why: string }[] = [
  {
    files: [
      "src/streams/dsl/aggregation.ts",
      "src/streams/dsl/branched.ts",
      "src/streams/dsl/grouped.ts",
      "src/streams/dsl/kstream.ts",
      "src/streams/dsl/ktable.ts",
      "src/streams/dsl/stream-join.ts",
      "src/streams/dsl/windowed.ts",
    ],
    why:
      "the streams DSL's classes return each other (KStream ↔ KGroupedStream ↔ KTable, the windowed and " +
      "branched streams import KStream's type back); landed with the DSL, to be broken by interfaces the " +
      "classes implement in a module of their own",
  },
];
