// http-sink (Confluent's HTTP Sink keys where they apply; the operator's host allowlist) and
// http-source (a webhook: key rules, HMAC signatures, delivery ids), as plugin definitions.

import { hostAllowed } from "../allowlist.js";
import { addError } from "../config.js";
import { keyRules, topicKey, VERSION, type ConnectorPlugin } from "../plugin.js";

export const HTTP_SINK: ConnectorPlugin = {
  class: "http-sink",
  aliases: ["io.confluent.connect.http.HttpSinkConnector", "HttpSinkConnector"],
  type: "sink",
  version: VERSION,
  config: [
    {
      name: "http.api.url",
      type: "STRING",
      importance: "HIGH",
      group: "Connection",
      documentation: "HTTP API URL. Its host must be allowed by the operator (EDGELOG_CONNECT_HTTP_ALLOWED_HOSTS).",
    },
    {
      name: "request.method",
      type: "STRING",
      default: "POST",
      validValues: ["POST", "PUT", "PATCH"],
      importance: "HIGH",
      group: "Connection",
      documentation: "HTTP request method.",
    },
    {
      name: "headers",
      type: "STRING",
      default: "",
      importance: "MEDIUM",
      group: "Connection",
      documentation: "HTTP headers to send, each Name:Value, separated by header.separator.",
    },
    {
      name: "header.separator",
      type: "STRING",
      default: "|",
      importance: "LOW",
      group: "Connection",
      documentation: "Separator between headers in the headers config.",
    },
    {
      name: "batch.max.size",
      type: "INT",
      default: 100,
      min: 1,
      max: 10_000,
      importance: "HIGH",
      group: "Batching",
      documentation: "The most records sent in one request.",
    },
    {
      name: "batch.json.as.array",
      type: "BOOLEAN",
      default: false,
      importance: "MEDIUM",
      group: "Batching",
      documentation:
        "true: the body is a JSON array of records (application/json); false: JSON lines (application/x-ndjson).",
    },
    {
      name: "http.request.timeout.ms",
      type: "INT",
      default: 30_000,
      min: 1,
      importance: "LOW",
      group: "Retries",
      documentation: "How long a request may take before it counts as failed (and is retried).",
    },
    {
      name: "max.retries",
      type: "INT",
      default: 10,
      min: 0,
      importance: "MEDIUM",
      group: "Retries",
      documentation:
        "How many times a failed request (5xx, 408, 429, a timeout, no connection) is retried before its records are errant.",
    },
    {
      name: "retry.backoff.ms",
      type: "INT",
      default: 3_000,
      min: 0,
      importance: "MEDIUM",
      group: "Retries",
      documentation:
        "The first wait before a retry; it doubles with each retry, capped by errors.retry.delay.max.ms. A Retry-After header takes precedence.",
    },
    {
      name: "idempotency.key.header",
      type: "STRING",
      default: "Idempotency-Key",
      importance: "LOW",
      group: "Connection",
      documentation:
        "Header carrying the batch's identity (topic/partition/first-last offset), the same on every retry; empty to send none.",
    },
  ],
  validate(values, _raw, errors, facts) {
    const url = values["http.api.url"];
    if (typeof url !== "string") return;
    const problem = hostAllowed(url, facts.httpAllowedHosts);
    if (problem) addError(errors, "http.api.url", problem);
    const sep = String(values["header.separator"]);
    const headers = String(values.headers);
    if (headers !== "") {
      for (const h of headers.split(sep)) {
        if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+:/.test(h.trim()))
          addError(errors, "headers", `Invalid header ${JSON.stringify(h)}: use Name:Value`);
      }
    }
  },
};

export const HTTP_SOURCE: ConnectorPlugin = {
  class: "http-source",
  aliases: [],
  type: "source",
  version: VERSION,
  config: [
    topicKey,
    ...keyRules,
    {
      name: "key.header",
      type: "STRING",
      default: null,
      importance: "MEDIUM",
      documentation: "A request header whose value becomes the record key (key.pointer takes precedence).",
    },
    {
      name: "ingest.split",
      type: "STRING",
      default: "none",
      validValues: ["none", "array", "lines"],
      importance: "MEDIUM",
      documentation:
        "none: the body is one record; array: each element of a JSON array body is a record; lines: each line of the body is a record.",
    },
    {
      name: "hmac.secret",
      type: "PASSWORD",
      default: null,
      importance: "HIGH",
      group: "Security",
      documentation:
        "Shared secret: requests signed with it (HMAC of the raw body) are accepted without a token. Without it, requests need a token that may produce to the topic.",
    },
    {
      name: "hmac.header",
      type: "STRING",
      default: "X-Signature-256",
      importance: "MEDIUM",
      group: "Security",
      documentation: "The request header holding the signature (hex, after hmac.prefix).",
    },
    {
      name: "hmac.algorithm",
      type: "STRING",
      default: "HmacSHA256",
      validValues: ["HmacSHA1", "HmacSHA256", "HmacSHA512"],
      importance: "LOW",
      group: "Security",
      documentation: "The signature's algorithm.",
    },
    {
      name: "hmac.prefix",
      type: "STRING",
      default: "sha256=",
      importance: "LOW",
      group: "Security",
      documentation: "Text before the hex signature in the header (GitHub's sha256=); empty for none.",
    },
    {
      name: "idempotency.header",
      type: "STRING",
      default: "Idempotency-Key",
      importance: "LOW",
      documentation:
        "A request header naming the delivery: a delivery already written is answered again without writing twice.",
    },
    {
      name: "headers.forward",
      type: "LIST",
      default: [],
      importance: "LOW",
      documentation: "Request headers copied into each record's headers.",
    },
  ],
  validate(values, _raw, errors) {
    const secret = values["hmac.secret"];
    if (secret !== null && String(secret).length < 16)
      addError(errors, "hmac.secret", "Use a secret of at least 16 characters");
  },
};
