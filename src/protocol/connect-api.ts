// The connectors REST API's bodies and replies (Kafka Connect's shapes under /v1/connectors and
// /v1/connector-plugins), shared by the router's route table and the CLI.

import { z } from "zod";

/** A connector's config: Kafka's flat map of strings (numbers and booleans are accepted and kept as text). */
export const ConnectorConfigSchema = z.record(
  z.string(),
  z.union([z.string(), z.number(), z.boolean()]).transform((v) => String(v)),
);

export const CreateConnectorSchema = z.strictObject({
  name: z.string().min(1),
  config: ConnectorConfigSchema,
});

export const ConnectorStateSchema = z.enum(["UNASSIGNED", "RUNNING", "PAUSED", "STOPPED", "FAILED", "RESTARTING"]);

export const TaskIdSchema = z.object({ connector: z.string(), task: z.number().int() });

export const ConnectorInfoSchema = z.object({
  name: z.string(),
  config: z.record(z.string(), z.string()),
  tasks: z.array(TaskIdSchema),
  type: z.enum(["sink", "source"]),
});

export const TaskStatusSchema = z.object({
  id: z.number().int(),
  state: ConnectorStateSchema,
  worker_id: z.string(),
  trace: z.string().optional(),
});

export const ConnectorStatusSchema = z.object({
  name: z.string(),
  connector: z.object({ state: ConnectorStateSchema, worker_id: z.string(), trace: z.string().optional() }),
  tasks: z.array(TaskStatusSchema),
  type: z.enum(["sink", "source"]),
});

export const ConnectorTopicsSchema = z.record(z.string(), z.object({ topics: z.array(z.string()) }));

/** KIP-875: sinks' partitions are {kafka_topic, kafka_partition} with {kafka_offset}; sources' are their own maps. */
export const ConnectorOffsetSchema = z.object({
  partition: z.record(z.string(), z.unknown()),
  offset: z.record(z.string(), z.unknown()).nullable(),
});

export const ConnectorOffsetsSchema = z.object({ offsets: z.array(ConnectorOffsetSchema) });

export const MessageSchema = z.object({ message: z.string() });

export const PluginInfoSchema = z.object({
  class: z.string(),
  type: z.enum(["sink", "source", "transformation", "predicate"]),
  version: z.string().optional(),
});

export const ConfigKeyInfoSchema = z.object({
  name: z.string(),
  type: z.string(),
  required: z.boolean(),
  default_value: z.string().nullable(),
  importance: z.string(),
  documentation: z.string(),
  group: z.string().nullable(),
  width: z.string(),
  display_name: z.string(),
  dependents: z.array(z.string()),
  order: z.number().int(),
});

export const ConfigInfosSchema = z.object({
  name: z.string(),
  error_count: z.number().int(),
  groups: z.array(z.string()),
  configs: z.array(
    z.object({
      definition: ConfigKeyInfoSchema,
      value: z.object({
        name: z.string(),
        value: z.string().nullable(),
        recommended_values: z.array(z.string()),
        errors: z.array(z.string()),
        visible: z.boolean(),
      }),
    }),
  ),
});

export const IngestReplySchema = z.object({
  records: z.array(z.object({ topic: z.string(), partition: z.number().int(), offset: z.number().int() })),
  skipped: z.number().int(),
  duplicate: z.boolean().optional(),
});

export type ConnectorInfo = z.infer<typeof ConnectorInfoSchema>;
export type ConnectorStatus = z.infer<typeof ConnectorStatusSchema>;
export type TaskStatus = z.infer<typeof TaskStatusSchema>;
export type ConnectorState = z.infer<typeof ConnectorStateSchema>;
export type ConnectorOffset = z.infer<typeof ConnectorOffsetSchema>;
export type PluginInfo = z.infer<typeof PluginInfoSchema>;
