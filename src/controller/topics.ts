// The topic registry: names, immutable ids, partition counts and config overrides in SQLite.

import { EdgelogError } from "../protocol/errors.js";
import { STREAM_TOPIC_PREFIX } from "../durable-streams/protocol.js";
import type { Topic } from "../protocol/topic.js";
import {
  checkTopicConfig,
  DEFAULT_TOPIC_CONFIG,
  parseTopicConfig,
  TOPIC_CONFIG_KEYS,
  validatePartitionCount,
  validateTopicName,
  type TopicConfig,
} from "../protocol/topic-config.js";
import type { AlterTopicInput, CreateTopicInput } from "../contracts/cluster.js";

interface TopicRow extends Record<string, SqlStorageValue> {
  name: string;
  id: string;
  partitions: number;
  overrides: string;
  version: number;
  created_at: number;
}

export class TopicRegistry {
  constructor(private readonly sql: SqlStorage) {}

  /** `maxTopics` bounds how many topics exist at once (EDGELOG_MAX_TOPICS). */
  create(input: CreateTopicInput, now: number, maxTopics = Number.MAX_SAFE_INTEGER): Topic {
    const name = validateTopicName(input.name);
    const partitions = validatePartitionCount(input.partitions ?? 1);
    const overrides = parseTopicConfig(input.config);
    const config = checkTopicConfig({ ...DEFAULT_TOPIC_CONFIG, ...overrides });
    if (this.#row(name)) throw new EdgelogError("TOPIC_ALREADY_EXISTS", `topic ${name} already exists`);
    const count = this.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM topics`).one().n;
    if (count >= maxTopics) {
      throw new EdgelogError(
        "POLICY_VIOLATION",
        `this deployment holds ${count} topics, the most EDGELOG_MAX_TOPICS allows; delete unused topics or raise the limit`,
      );
    }
    const rival = this.#collision(name);
    if (rival) {
      throw new EdgelogError(
        "INVALID_TOPIC_EXCEPTION",
        `topic ${name} collides with existing topic ${rival}: names that differ only in '.' versus '_' are refused, as Kafka does (its metric names cannot tell them apart)`,
      );
    }
    const row: TopicRow = {
      name,
      id: crypto.randomUUID(),
      partitions,
      overrides: JSON.stringify(overrides),
      version: 1,
      created_at: now,
    };
    this.sql.exec(
      `INSERT INTO topics (name, id, partitions, overrides, version, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
      row.name,
      row.id,
      row.partitions,
      row.overrides,
      row.version,
      row.created_at,
    );
    return toTopic(row, config);
  }

  get(name: string): Topic | null {
    const row = this.#row(name);
    return row ? toTopic(row) : null;
  }

  list({ after, limit }: { after?: string; limit?: number } = {}): Topic[] {
    return this.sql
      .exec<TopicRow>(`SELECT * FROM topics WHERE name > ? ORDER BY name LIMIT ?`, after ?? "", limit ?? -1)
      .toArray()
      .map((r) => toTopic(r));
  }

  alter(name: string, input: AlterTopicInput): Topic {
    const row = this.#row(name);
    if (!row) throw unknownTopic(name);
    let partitions = row.partitions;
    if (input.partitions !== undefined) {
      partitions = validatePartitionCount(input.partitions);
      if (partitions < row.partitions) {
        throw new EdgelogError(
          "INVALID_PARTITIONS",
          `topic ${name} has ${row.partitions} partitions; the count can only grow (keyed data would move)`,
        );
      }
    }
    const overrides: Record<string, unknown> = JSON.parse(row.overrides);
    if (input.config !== undefined) {
      if (typeof input.config !== "object" || input.config === null || Array.isArray(input.config)) {
        throw new EdgelogError("INVALID_CONFIG", "config must be an object of Kafka config names to values");
      }
      const entries = Object.entries(input.config);
      const resets = entries.filter(([, v]) => v === null).map(([k]) => k);
      const sets = parseTopicConfig(Object.fromEntries(entries.filter(([, v]) => v !== null)));
      const unknown = resets.find((k) => !(TOPIC_CONFIG_KEYS as string[]).includes(k));
      if (unknown) throw new EdgelogError("INVALID_CONFIG", `unknown config ${JSON.stringify(unknown)}`);
      for (const k of resets) delete overrides[k];
      Object.assign(overrides, sets);
    }
    const config = checkTopicConfig({ ...DEFAULT_TOPIC_CONFIG, ...overrides } as TopicConfig);
    const next: TopicRow = { ...row, partitions, overrides: JSON.stringify(overrides), version: row.version + 1 };
    this.sql.exec(
      `UPDATE topics SET partitions = ?, overrides = ?, version = ? WHERE name = ?`,
      next.partitions,
      next.overrides,
      next.version,
      name,
    );
    return toTopic(next, config);
  }

  /** Removes the topic from the registry and queues its data for background removal. */
  delete(name: string, now: number): Topic {
    const row = this.#row(name);
    if (!row) throw unknownTopic(name);
    this.sql.exec(`DELETE FROM topics WHERE name = ?`, name);
    this.sql.exec(
      `INSERT INTO deleted_topics (id, partitions, deleted_at) VALUES (?, ?, ?)`,
      row.id,
      row.partitions,
      now,
    );
    return toTopic(row);
  }

  pendingDeletes(): { id: string; partitions: number }[] {
    return this.sql.exec<{ id: string; partitions: number }>(`SELECT id, partitions FROM deleted_topics`).toArray();
  }

  forgetDeleted(id: string): void {
    this.sql.exec(`DELETE FROM deleted_topics WHERE id = ?`, id);
  }

  /**
   * An existing topic whose name equals `name` once '.' and '_' are treated alike. A scan, but over
   * the topic list only and on create only. Two Durable Streams' topics are exempt: stream paths
   * are another protocol's names, where "a.b" and "a_b" are simply two streams.
   */
  #collision(name: string): string | undefined {
    const folded = name.replaceAll(".", "_");
    const stream = name.startsWith(STREAM_TOPIC_PREFIX);
    return this.sql
      .exec<{ name: string }>(`SELECT name FROM topics WHERE replace(name, '.', '_') = ?`, folded)
      .toArray()
      .map((r) => r.name)
      .find((other) => !(stream && other.startsWith(STREAM_TOPIC_PREFIX)));
  }

  #row(name: string): TopicRow | undefined {
    return this.sql.exec<TopicRow>(`SELECT * FROM topics WHERE name = ?`, name).toArray()[0];
  }
}

function toTopic(row: TopicRow, config?: TopicConfig): Topic {
  return {
    name: row.name,
    id: row.id,
    partitions: row.partitions,
    config: config ?? ({ ...DEFAULT_TOPIC_CONFIG, ...JSON.parse(row.overrides) } as TopicConfig),
    version: row.version,
    created_at: row.created_at,
  };
}

export function unknownTopic(name: string): EdgelogError {
  return new EdgelogError("UNKNOWN_TOPIC_OR_PARTITION", `topic ${name} does not exist`);
}
