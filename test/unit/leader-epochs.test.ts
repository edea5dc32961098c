// Leader epochs and the quorum register on their own: OffsetForLeaderEpoch answers, the offset
// where a follower diverged (KIP-101/KIP-279 cases), and the election authority's register under
// concurrent proposers and lost voters.

import { describe, expect, it } from "vitest";
import { divergence, endOffsetFor } from "../../src/leadership/epochs.js";
import { Proposer, QuorumUnavailable, voteAccept, votePrepare, type VoterState } from "../../src/leadership/quorum.js";
import { alterIsr, elect, HOME, readRecord, type LeadershipRecord } from "../../src/leadership/record.js";

const map = (...pairs: [number, number][]) => pairs.map(([epoch, startOffset]) => ({ epoch, startOffset }));

describe("OffsetForLeaderEpoch", () => {
  const epochs = map([0, 0], [2, 10], [5, 25]);
  it("answers the largest epoch at or below the one asked and where it ends", () => {
    expect(endOffsetFor(epochs, 40, 0)).toEqual({ epoch: 0, endOffset: 10 });
    expect(endOffsetFor(epochs, 40, 1)).toEqual({ epoch: 0, endOffset: 10 });
    expect(endOffsetFor(epochs, 40, 4)).toEqual({ epoch: 2, endOffset: 25 });
    expect(endOffsetFor(epochs, 40, 5)).toEqual({ epoch: 5, endOffset: 40 });
    expect(endOffsetFor(epochs, 40, 9)).toEqual({ epoch: 5, endOffset: 40 });
    expect(endOffsetFor(map([3, 7]), 9, 2)).toEqual({ epoch: -1, endOffset: -1 });
  });
});

describe("divergence", () => {
  it("keeps a follower that is a prefix of the leader", () => {
    expect(divergence({ epochs: map([0, 0], [1, 8]), logEnd: 12 }, { epochs: map([0, 0]), logEnd: 6 })).toBe(6);
    expect(divergence({ epochs: map([0, 0], [1, 8]), logEnd: 12 }, { epochs: map([0, 0], [1, 8]), logEnd: 10 })).toBe(
      10,
    );
  });

  it("cuts a deposed leader's suffix at the new epoch's start (KIP-101)", () => {
    // The old leader wrote 8..11 in epoch 0 that nobody copied; the new leader began epoch 1 at 8.
    expect(divergence({ epochs: map([0, 0], [1, 8]), logEnd: 15 }, { epochs: map([0, 0]), logEnd: 12 })).toBe(8);
  });

  it("walks back through an epoch the leader never had (KIP-279)", () => {
    // The follower led epoch 2 briefly (offsets 10..13) without anyone copying; the leader went 1 → 3.
    const leader = { epochs: map([0, 0], [1, 5], [3, 10]), logEnd: 20 };
    const follower = { epochs: map([0, 0], [1, 5], [2, 10]), logEnd: 14 };
    expect(divergence(leader, follower)).toBe(10);
  });

  it("treats a copy without epochs (written before epochs existed) as a prefix", () => {
    expect(divergence({ epochs: map([0, 4]), logEnd: 9 }, { epochs: [], logEnd: 4 })).toBe(4);
  });
});

/** Three in-memory voters; `down` ones fail every call. */
function voters(down = new Set<number>()) {
  const states: VoterState<LeadershipRecord>[] = [0, 1, 2].map(() => ({ promised: null, accepted: null }));
  const yieldRandomly = async (n: number) => {
    for (let i = 0; i < n; i++) await Promise.resolve();
  };
  let turn = 0;
  return {
    states,
    transport: {
      count: 3,
      prepare: async (v: number, _k: string, b: { n: number; by: string }) => {
        await yieldRandomly(++turn % 3);
        if (down.has(v)) throw new Error("down");
        const r = votePrepare(states[v]!, b);
        states[v] = r.state;
        return r.reply;
      },
      accept: async (v: number, _k: string, b: { n: number; by: string }, value: LeadershipRecord) => {
        await yieldRandomly(++turn % 2);
        if (down.has(v)) throw new Error("down");
        const r = voteAccept(states[v]!, b, value);
        states[v] = r.state;
        return r.reply;
      },
    },
  };
}

describe("the election authority's quorum register", () => {
  it("elects one leader per epoch when two copies ask at once", async () => {
    const v = voters();
    const start = new Proposer("init", v.transport);
    await start.change("0", alterIsr(0, HOME, [HOME, "weur", "apac"]));
    const ask = (who: string) =>
      new Proposer(who, v.transport, { backoff: async () => undefined }).change(
        "0",
        elect({ expectEpoch: 0, candidate: who, leaderFailed: true, unclean: false, replicas: [HOME, "weur", "apac"] }),
      );
    const [a, b] = await Promise.all([ask("weur"), ask("apac")]);
    const won = [a.result, b.result].filter((r) => !("refused" in r));
    expect(won).toHaveLength(1);
    const final = (await start.change("0", readRecord)).result!;
    expect(final.epoch).toBe(1);
    expect(won[0]).toEqual({ record: final });
  });

  it("survives one lost voter and refuses to decide without a majority", async () => {
    const down = new Set([2]);
    const v = voters(down);
    const p = new Proposer("p", v.transport, { callTimeoutMs: 50, backoff: async () => undefined });
    await p.change("0", alterIsr(0, HOME, [HOME, "weur"]));
    expect((await p.change("0", readRecord)).result).toEqual({ epoch: 0, leader: HOME, isr: [HOME, "weur"] });
    down.add(1);
    await expect(p.change("0", readRecord)).rejects.toBeInstanceOf(QuorumUnavailable);
  });

  it("fences an ISR change from a deposed leader and refuses an out-of-sync candidate", async () => {
    const v = voters();
    const p = new Proposer("p", v.transport);
    await p.change("0", alterIsr(0, HOME, [HOME, "weur"]));
    const refused = await p.change(
      "0",
      elect({ candidate: "apac", leaderFailed: true, unclean: false, replicas: [HOME, "weur", "apac"] }),
    );
    expect("refused" in refused.result && refused.result.refused.code).toBe("ELIGIBLE_LEADERS_NOT_AVAILABLE");
    await p.change("0", elect({ leaderFailed: true, unclean: false, replicas: [HOME, "weur", "apac"] }));
    const stale = await p.change("0", alterIsr(0, HOME, [HOME]));
    expect("refused" in stale.result && stale.result.refused.code).toBe("FENCED_LEADER_EPOCH");
    expect((await p.change("0", readRecord)).result).toEqual({ epoch: 1, leader: "weur", isr: ["weur"] });
  });
});
