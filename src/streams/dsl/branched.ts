// KStream.split(): named branches, each optionally chained, collected by name.

import type { KStream } from "./kstream.js";
import type { Branched } from "./options.js";

/** The result of split(): add branches, then end with defaultBranch() or noDefaultBranch(). */
export class BranchedKStream<K, V> {
  readonly #branches: { predicate: (key: K, value: V) => boolean; branched: Branched<K, V, KStream<K, V>> }[] = [];

  constructor(
    private readonly stream: KStream<K, V>,
    private readonly prefix: string,
  ) {}

  branch(predicate: (key: K, value: V) => boolean, branched: Branched<K, V, KStream<K, V>> = {}): this {
    this.#branches.push({ predicate, branched });
    return this;
  }

  /** Records no branch took go to the default branch (named `<prefix>0` unless named). */
  defaultBranch(branched: Branched<K, V, KStream<K, V>> = {}): Record<string, KStream<K, V>> {
    return this.#finish({ predicate: () => true, branched, index: 0 });
  }

  noDefaultBranch(): Record<string, KStream<K, V>> {
    return this.#finish(undefined);
  }

  #finish(fallback?: {
    predicate: (key: K, value: V) => boolean;
    branched: Branched<K, V, KStream<K, V>>;
    index: number;
  }) {
    const all = this.#branches.map((b, i) => ({ ...b, index: i + 1 }));
    if (fallback) all.push(fallback);
    const streams = this.stream.branch(...all.map((b) => b.predicate));
    const out: Record<string, KStream<K, V>> = {};
    all.forEach((b, i) => {
      const name = `${this.prefix}${b.branched.name ?? b.index}`;
      const s = streams[i]!;
      out[name] = (b.branched.chain ? (b.branched.chain(s) ?? s) : s) as KStream<K, V>;
    });
    return out;
  }
}
