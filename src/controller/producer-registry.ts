// Producer id registry: hands out Kafka-style producer ids and bumps epochs to fence old holders.

import { EdgelogError } from "../protocol/errors.js";

/** Kafka's producer epoch is an int16. */
const MAX_EPOCH = 32767;

export interface ProducerIdentity {
  /** A Kafka int64 producer id, as a decimal string so JSON keeps every digit. */
  id: string;
  epoch: number;
}

export class ProducerRegistry {
  constructor(private readonly sql: SqlStorage) {}

  /**
   * With no id: a fresh producer id at epoch 0. With an id: the same id at the next epoch,
   * which fences every earlier holder of that id (Kafka's InitProducerId with a transactional id).
   */
  init(id: string | undefined, now: number, owner: string | null = null): ProducerIdentity {
    if (id === undefined) {
      const row = this.sql
        .exec<{ id: number }>(
          `INSERT INTO producer_ids (epoch, created_at, updated_at, owner) VALUES (0, ?, ?, ?) RETURNING id`,
          now,
          now,
          owner,
        )
        .one();
      return { id: String(row.id), epoch: 0 };
    }
    const current = this.get(id);
    // Ids from before ownership was recorded (null) may be taken over by any producer-capable token.
    const held = this.sql
      .exec<{ owner: string | null }>(`SELECT owner FROM producer_ids WHERE id = ?`, Number(id))
      .one().owner;
    if (owner !== null && owner !== "admin" && held !== null && held !== owner) {
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

  get(id: string): ProducerIdentity {
    const row = /^\d{1,15}$/.test(id)
      ? this.sql.exec<{ epoch: number }>(`SELECT epoch FROM producer_ids WHERE id = ?`, Number(id)).toArray()[0]
      : undefined;
    if (!row) throw new EdgelogError("UNKNOWN_PRODUCER_ID", `producer id ${JSON.stringify(id)} was never issued`);
    return { id, epoch: row.epoch };
  }
}
