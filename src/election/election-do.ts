// ElectionDO: one of the three voters of a topic's election authority (docs/geo-replication.md#failover),
// each created in its own region. A thin adapter: the quorum rules are leadership/quorum.ts's, the
// leadership changes leadership/record.ts's; this object stores its promises and answers a leader probe.

import { DurableObject } from "cloudflare:workers";
import type { ElectionRpc } from "../contracts/election.js";
import { rpc } from "../contracts/rpc.js";
import type { Env } from "../env.js";
import { votePrepare, voteAccept, type Ballot, type VoterState } from "../leadership/quorum.js";
import type { LeadershipRecord } from "../leadership/record.js";
import { partitionObject } from "../objects.js";
import type { Result } from "../protocol/errors.js";
import { electionKv } from "./keys.js";

/** How a voter reaches a partition's copy to see whether it answers: a port, so tests can cut it off. */
export interface LeaderProbe {
  reaches(topicId: string, partition: number, leader: string): Promise<boolean>;
}

/** The probe the platform provides: the copy's ping, bounded in time (a slow copy counts as down). */
export function leaderProbe(env: Pick<Env, "PARTITION">, timeoutMs = PROBE_TIMEOUT_MS): LeaderProbe {
  return {
    async reaches(topicId, partition, leader) {
      const stub = partitionObject(env, topicId, partition, leader === "home" ? null : leader);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<false>((r) => (timer = setTimeout(() => r(false), timeoutMs)));
      try {
        return await Promise.race([stub.ping().then((r) => r.ok), late]);
      } catch {
        return false;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

const PROBE_TIMEOUT_MS = 2_000;
const EMPTY: VoterState<LeadershipRecord> = { promised: null, accepted: null };

export class ElectionDO extends DurableObject<Env> implements ElectionRpc {
  readonly #kv = electionKv(this.ctx.storage);
  readonly #probe: LeaderProbe;

  constructor(ctx: DurableObjectState, env: Env, probe?: LeaderProbe) {
    super(ctx, env);
    this.#probe = probe ?? leaderProbe(env);
  }

  // Each phase reads and writes the register synchronously, so two calls never interleave in it;
  // the write is durable before the reply leaves (output gates).
  async prepare(key: string, ballot: Ballot) {
    return rpc(() => {
      const { state, reply } = votePrepare(this.#kv.get(`vote/${key}`) ?? EMPTY, ballot);
      if (reply.ok) this.#kv.put(`vote/${key}`, state);
      return reply;
    });
  }

  async accept(key: string, ballot: Ballot, value: LeadershipRecord) {
    return rpc(() => {
      const { state, reply } = voteAccept(this.#kv.get(`vote/${key}`) ?? EMPTY, ballot, value);
      if (reply.ok) this.#kv.put(`vote/${key}`, state);
      return reply;
    });
  }

  async reaches(topicId: string, partition: number, leader: string): Promise<Result<boolean>> {
    return rpc(() => this.#probe.reaches(topicId, partition, leader));
  }

  async drop(): Promise<Result<null>> {
    return rpc(async () => {
      await this.ctx.storage.deleteAll();
      return null;
    });
  }
}
