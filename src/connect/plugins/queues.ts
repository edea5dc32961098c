// queues-sink and queues-source as plugin definitions: a Queue binding or consumer the deployment
// declares, Queues' batch and message limits.

import { addError } from "../config.js";
import { keyRules, QUEUE_BATCH_MAX_MESSAGES, topicKey, VERSION, type ConnectorPlugin } from "../plugin.js";

export const QUEUES_SINK: ConnectorPlugin = {
  class: "queues-sink",
  aliases: [],
  type: "sink",
  version: VERSION,
  config: [
    {
      name: "queue.binding",
      type: "STRING",
      importance: "HIGH",
      documentation: "The Queue producer binding (declared in wrangler.toml) messages are sent to.",
    },
    {
      name: "batch.max.size",
      type: "INT",
      default: 100,
      min: 1,
      max: QUEUE_BATCH_MAX_MESSAGES,
      importance: "MEDIUM",
      documentation: "The most messages per sendBatch (Queues allows 100).",
    },
    {
      name: "queue.message.format",
      type: "STRING",
      default: "envelope",
      validValues: ["envelope", "value"],
      importance: "MEDIUM",
      documentation:
        "envelope: {topic, partition, offset, key, value, headers, timestamp}; value: the record value alone.",
    },
  ],
  validate(values, _raw, errors, facts) {
    const b = values["queue.binding"];
    if (typeof b === "string" && !facts.queueProducers.includes(b))
      addError(
        errors,
        "queue.binding",
        `No Queue producer binding ${b} in this deployment (declared: ${facts.queueProducers.join(", ") || "none"}); declare one in wrangler.toml`,
      );
  },
};

export const QUEUES_SOURCE: ConnectorPlugin = {
  class: "queues-source",
  aliases: [],
  type: "source",
  version: VERSION,
  config: [
    topicKey,
    ...keyRules,
    {
      name: "queue.name",
      type: "STRING",
      importance: "HIGH",
      documentation:
        "The queue whose consumer is this Worker ([[queues.consumers]] in wrangler.toml); its batches are written to the topic.",
    },
  ],
};
