// A register kept by a majority of voters (CASPaxos: single-decree Paxos rounds, each applying a
// change function to the current value), so a partition's leadership record survives the loss of
// any minority of voters, and two proposers can never both win a change from the same value.

/** A proposal number: higher `n` wins; `by` (the proposer's id) breaks ties. */
export interface Ballot {
  n: number;
  by: string;
}

export function compareBallots(a: Ballot | null, b: Ballot | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  return a.n !== b.n ? a.n - b.n : a.by < b.by ? -1 : a.by > b.by ? 1 : 0;
}

/** What one voter stores per register. */
export interface VoterState<V> {
  promised: Ballot | null;
  accepted: { ballot: Ballot; value: V } | null;
}

export type PrepareReply<V> = { ok: true; accepted: VoterState<V>["accepted"] } | { ok: false; promised: Ballot };
export type AcceptReply = { ok: true } | { ok: false; promised: Ballot };

/** A voter's phase 1: promise to ignore lower ballots, and say what it accepted last. */
export function votePrepare<V>(s: VoterState<V>, b: Ballot): { state: VoterState<V>; reply: PrepareReply<V> } {
  if (compareBallots(b, s.promised) <= 0 || compareBallots(b, s.accepted?.ballot ?? null) <= 0) {
    const promised = compareBallots(s.promised, s.accepted?.ballot ?? null) >= 0 ? s.promised! : s.accepted!.ballot;
    return { state: s, reply: { ok: false, promised } };
  }
  return { state: { ...s, promised: b }, reply: { ok: true, accepted: s.accepted } };
}

/** A voter's phase 2: accept the value unless a higher ballot was promised meanwhile. */
export function voteAccept<V>(s: VoterState<V>, b: Ballot, value: V): { state: VoterState<V>; reply: AcceptReply } {
  if (compareBallots(b, s.promised) < 0 || compareBallots(b, s.accepted?.ballot ?? null) <= 0) {
    return { state: s, reply: { ok: false, promised: s.promised ?? s.accepted!.ballot } };
  }
  return { state: { promised: b, accepted: { ballot: b, value } }, reply: { ok: true } };
}

/** How a proposer reaches the voters of one register (`voter` 0..count-1); a failed call rejects. */
export interface VoterTransport<V> {
  readonly count: number;
  prepare(voter: number, key: string, b: Ballot): Promise<PrepareReply<V>>;
  accept(voter: number, key: string, b: Ballot, value: V): Promise<AcceptReply>;
}

/** A change's verdict on the current value (null: nothing recorded yet). */
export type Change<V, R> = (current: V | null) => { value: V; result: R } | { keep: true; result: R };

/** No majority answered (voters unreachable, or proposers kept pre-empting each other). */
export class QuorumUnavailable extends Error {}

export interface ProposerOptions {
  /** Rounds tried before giving up. */
  rounds?: number;
  /** One voter call's time limit: a voter that does not answer counts as failed. */
  callTimeoutMs?: number;
  /** Waits between pre-empted rounds (randomised, so duelling proposers separate). */
  backoff?: (round: number) => Promise<void>;
}

/** Proposes changes to registers kept by a majority of voters. */
export class Proposer<V> {
  #highest = 0;

  constructor(
    private readonly id: string,
    private readonly voters: VoterTransport<V>,
    private readonly opts: ProposerOptions = {},
  ) {}

  /**
   * Applies `change` to the register's current value, linearizably: phase 1 learns the value from a
   * majority, phase 2 stores the changed (or, for a read or a refusal, the same) value at a
   * majority. Resolves with the change's result and the value now recorded.
   */
  async change<R>(key: string, change: Change<V, R>): Promise<{ result: R; value: V | null }> {
    const rounds = this.opts.rounds ?? 5;
    let lastError = "no round tried";
    for (let round = 0; round < rounds; round++) {
      if (round > 0) await (this.opts.backoff ?? defaultBackoff)(round);
      const ballot = { n: ++this.#highest, by: this.id };
      const prepared = await this.#majority((v) => this.voters.prepare(v, key, ballot));
      if (!prepared.ok) {
        lastError = prepared.why;
        continue;
      }
      let current: { ballot: Ballot; value: V } | null = null;
      for (const r of prepared.replies) {
        if (r.ok && r.accepted && compareBallots(r.accepted.ballot, current?.ballot ?? null) > 0) current = r.accepted;
      }
      const verdict = change(current?.value ?? null);
      const value = "keep" in verdict ? (current?.value ?? null) : verdict.value;
      // A read of an empty register has nothing to write back.
      if (value !== null) {
        const accepted = await this.#majority((v) => this.voters.accept(v, key, ballot, value));
        if (!accepted.ok) {
          lastError = accepted.why;
          continue;
        }
      }
      return { result: verdict.result, value };
    }
    throw new QuorumUnavailable(`no majority of ${this.voters.count} voters answered: ${lastError}`);
  }

  /** Calls every voter; resolves once a majority said yes, or as soon as a majority is out of reach. */
  #majority<T extends { ok: boolean; promised?: Ballot }>(
    call: (voter: number) => Promise<T>,
  ): Promise<{ ok: true; replies: T[] } | { ok: false; why: string }> {
    const n = this.voters.count;
    const need = Math.floor(n / 2) + 1;
    const timeoutMs = this.opts.callTimeoutMs ?? 2_000;
    return new Promise((resolve) => {
      const replies: T[] = [];
      let failed = 0;
      let settled = false;
      const why: string[] = [];
      for (let v = 0; v < n; v++) {
        withTimeout(call(v), timeoutMs).then(
          (r) => {
            if (settled) return;
            if (r.ok) replies.push(r);
            else {
              failed++;
              if (r.promised) this.#highest = Math.max(this.#highest, r.promised.n);
              why.push(`voter ${v} promised a higher ballot`);
            }
            done();
          },
          (e) => {
            if (settled) return;
            failed++;
            why.push(`voter ${v}: ${e instanceof Error ? e.message : String(e)}`);
            done();
          },
        );
      }
      function done() {
        if (replies.length >= need) {
          settled = true;
          resolve({ ok: true, replies });
        } else if (failed > n - need) {
          settled = true;
          resolve({ ok: false, why: why.join("; ") });
        }
      }
    });
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

function defaultBackoff(round: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.random() * 20 * 2 ** round));
}
