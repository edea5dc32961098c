// Producer id registry: hands out Kafka-style producer ids and bumps epochs to fence old holders.

import { EdgelogError } from "../protocol/errors.js";
import type { ProducerIdentity, ProducerRecord } from "../contracts/cluster.js";

/** Kafka's producer epoch is an int16. */
const MAX_EPOCH = 32767;

/**
 * A fresh id: random in [1, 2^53 - 1], so a token cannot guess another's. That is inside Kafka's
 * positive int64 and still an exact JS number, which the batch codec and the gateway rely on.
 */
function randomId(): number {
  const words = crypto.getRandomValues(new Uint32Array(2));
  return (words[0]! & 0x1fffff) * 2 ** 32 + words[1]!;
}

/** The stored integer for an id string, or undefined when it cannot be one we issued. */
function storedId(id: string): number | undefined {
  if (!/^[1-9]\d{0,15}$/.test(id)) return undefined;
  const n = Number(id);
  return Number.isSafeInteger(n) ? n : undefined;
}

export class ProducerRegistry {
  constructor(private readonly sql: SqlStorage) {}

  /**
   * With no id: a fresh producer id at epoch 0. With an id: the same id at the next epoch,
   * which fences every earlier holder of that id (Kafka's InitProducerId with a transactional id).
   * Transactional producers, once they exist, will be owned by their transactional id (its
   * `transactional-id:` grants decide who may fence them), not by the token that got them.
   */
  init(id: string | undefined, now: number, owner: string | null = null): ProducerIdentity {
    if (id === undefined) {
      // A collision among 2^53 ids is rare; the primary key catches it and another is drawn.
      for (;;) {
        const candidate = randomId();
        if (candidate === 0) continue;
        const row = this.sql
          .exec<{ id: number }>(
            `INSERT INTO producer_ids (id, epoch, created_at, updated_at, owner) VALUES (?, 0, ?, ?, ?)
             ON CONFLICT (id) DO NOTHING RETURNING id`,
            candidate,
            now,
            now,
            owner,
          )
          .toArray()[0];
        if (row) return { id: String(row.id), epoch: 0 };
      }
    }
    const current = this.get(id);
    // Ids from before ownership was recorded (null) may be taken over by any producer-capable token.
    if (owner !== null && owner !== "admin" && current.owner !== null && current.owner !== owner) {
      throw new EdgelogError(
        "CLUSTER_AUTHORIZATION_FAILED",
        `producer id ${id} was obtained by another token; re-initialising it would fence that producer. Get your own id (POST /v1/producers with no id)`,
      );
    }
    if (current.epoch >= MAX_EPOCH) {
      throw new EdgelogError(
        "INVALID_PRODUCER_EPOCH",
        `producer ${id} has used every epoch; request a new producer id (POST /v1/producers with no id)`,
      );
    }
    const epoch = current.epoch + 1;
    this.sql.exec(`UPDATE producer_ids SET epoch = ?, updated_at = ? WHERE id = ?`, epoch, now, Number(id));
    return { id, epoch };
  }

  get(id: string): ProducerRecord {
    const n = storedId(id);
    const row =
      n === undefined
        ? undefined
        : this.sql
            .exec<{ epoch: number; owner: string | null }>(`SELECT epoch, owner FROM producer_ids WHERE id = ?`, n)
            .toArray()[0];
    if (!row) throw new EdgelogError("UNKNOWN_PRODUCER_ID", `producer id ${JSON.stringify(id)} was never issued`);
    return { id, epoch: row.epoch, owner: row.owner };
  }
}
