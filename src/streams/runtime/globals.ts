// Global tables: every instance reads all partitions of each global topic into its own store, fully
// before processing starts, then keeps following them (read_committed under exactly_once).

import type { Transport } from "../../client/transport.js";
import type { MultiFetchReply } from "../../protocol/api.js";
import { toMemberRecord } from "../../host/member.js";
import type { SerdeDefaults } from "../serdes.js";
import type { BytesStore } from "../state/bytes.js";
import type { StoreInstance } from "../state/stores.js";
import type { StoreSpec } from "../topology/specs.js";
import type { Topology } from "../topology/topology.js";
import { restorePartition } from "./restore.js";
import { openStore } from "./task.js";

export class GlobalStores {
  readonly stores = new Map<string, StoreInstance>();
  readonly #byTopic = new Map<string, StoreInstance>();
  /** Next offset per topic partition. */
  readonly #positions = new Map<string, { topic: string; partition: number; offset: number }>();

  constructor(
    private readonly topology: Topology,
    private readonly http: Transport,
    open: (spec: StoreSpec) => BytesStore,
    defaults: SerdeDefaults,
    private readonly isolation: "read_uncommitted" | "read_committed" = "read_uncommitted",
  ) {
    for (const g of topology.globals) {
      const bytes = open(g.store);
      // The local copy is rebuilt from the topic on every start: it has no changelog of its own to trust.
      bytes.clear();
      const store = openStore(g.store, bytes, null, { recordTimestamp: () => 0 }, g.topic, defaults);
      this.stores.set(g.store.name, store);
      this.#byTopic.set(g.topic, store);
    }
  }

  /** Reads every partition to its end. */
  async bootstrap(partitions: (topic: string) => number): Promise<void> {
    for (const g of this.topology.globals) {
      const store = this.#byTopic.get(g.topic)!;
      for (let p = 0; p < partitions(g.topic); p++) {
        const next = await restorePartition(this.http, g.topic, p, 0, this.isolation, (r) => {
          if (r.key !== null) store.restore(r.key, r.value, r.timestamp);
        });
        this.#positions.set(`${g.topic}\u0000${p}`, { topic: g.topic, partition: p, offset: next });
      }
    }
  }

  /** Applies what was appended since (no waiting). */
  async poll(): Promise<void> {
    if (this.#positions.size === 0) return;
    const positions = [...this.#positions.values()];
    const reply = await this.http.request<MultiFetchReply>(
      "POST",
      "/v1/fetch",
      {
        partitions: positions.map(({ topic, partition, offset }) => ({ topic, partition, offset })),
        wait_ms: 0,
        format: "binary",
        isolation: this.isolation,
      },
      { retry: true },
    );
    for (const part of reply.partitions) {
      const pos = this.#positions.get(`${part.topic}\u0000${part.partition}`);
      if (!pos || part.error) continue;
      const store = this.#byTopic.get(part.topic)!;
      for (const raw of part.records ?? []) {
        if (raw.offset < pos.offset) continue;
        const r = toMemberRecord(raw);
        if (r.key !== null) store.restore(r.key, r.value, r.timestamp);
        pos.offset = r.offset + 1;
      }
      if (part.next_offset !== undefined && part.next_offset > pos.offset) pos.offset = part.next_offset;
    }
  }
}
