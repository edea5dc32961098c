// Windowed stream-stream joins: each side's records in a window store, a processor per side that
// stores its record and looks up the other side's, and (left and outer joins) a shared buffer of
// records still waiting for a partner until their window closes.

import { streamStreamJoinProcessor, type JoinMode } from "../processors/joins.js";
import { passThroughProcessor } from "../processors/stateless.js";
import { Serdes, type Serde } from "../serdes.js";
import type { JoinWindows } from "../windows.js";
import type { Graph } from "./graph.js";
import { KStream } from "./kstream.js";
import type { Joined } from "./options.js";

/** Joins two streams (already partitioned by their join key) within `windows`. */
export function streamStreamJoin<K, V>(
  g: Graph,
  left: KStream<K, V>,
  right: KStream<K, unknown>,
  mode: JoinMode,
  joiner: (l: unknown, r: unknown, key: K) => unknown,
  windows: JoinWindows,
  joined: Joined<K, V, unknown>,
): KStream<K, unknown> {
  const keySerde = (joined.keySerde ?? left.keySerde ?? right.keySerde) as Serde<unknown> | undefined;
  const leftSerde = (joined.valueSerde ?? left.valueSerde) as Serde<unknown> | undefined;
  const rightSerde = (joined.otherValueSerde ?? right.valueSerde) as Serde<unknown> | undefined;
  const thisName = g.name("KSTREAM-JOINTHIS");
  const otherName = g.name("KSTREAM-JOINOTHER");
  const leftStore = `${joined.name ?? thisName}-this-join-store`;
  const rightStore = `${joined.name ?? otherName}-other-join-store`;
  const retentionMs = windows.retentionMs;
  const windowStore = (name: string, valueSerde: Serde<unknown> | undefined) =>
    g.addStore({
      name,
      type: "window",
      keySerde,
      valueSerde,
      logging: true,
      windowSizeMs: 0,
      retentionMs,
      retainDuplicates: true,
      queryable: false,
    });
  windowStore(leftStore, leftSerde);
  windowStore(rightStore, rightSerde);
  let outerStore: string | undefined;
  if (mode !== "inner") {
    outerStore = `${joined.name ?? g.name("KSTREAM-OUTERSHARED")}-outer-join-store`;
    g.addStore({
      name: outerStore,
      type: "keyValue",
      keySerde: Serdes.Bytes() as Serde<unknown>,
      valueSerde: Serdes.Bytes() as Serde<unknown>,
      logging: true,
      queryable: false,
    });
  }
  const stores = [leftStore, rightStore, ...(outerStore ? [outerStore] : [])];
  const l = g.addProcessor(
    thisName,
    [left.node],
    streamStreamJoinProcessor(
      {
        side: "left",
        thisStore: leftStore,
        otherStore: rightStore,
        outerStore,
        windows,
        mode,
        keySerde,
        thisValueSerde: leftSerde,
        otherValueSerde: rightSerde,
      },
      joiner,
    ),
    stores,
  );
  const r = g.addProcessor(
    otherName,
    [right.node],
    streamStreamJoinProcessor(
      {
        side: "right",
        thisStore: rightStore,
        otherStore: leftStore,
        outerStore,
        windows,
        mode,
        keySerde,
        thisValueSerde: rightSerde,
        otherValueSerde: leftSerde,
      },
      joiner,
    ),
    stores,
  );
  const merged = g.addProcessor(g.name("KSTREAM-MERGE"), [l, r], passThroughProcessor());
  g.copartition(left.node, right.node);
  return new KStream(g, merged, keySerde as Serde<K> | undefined, undefined, false);
}
