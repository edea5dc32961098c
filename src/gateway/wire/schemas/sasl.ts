// Kafka's message layouts for SASL sign-in, transcribed from Apache Kafka's JSON message specs with
// their field names: SaslHandshake v0-1 and SaslAuthenticate v0-2 (flexible from 2).

import { arrayOf, f, schema } from "../codec.js";
import type { Messages } from "../codec.js";

export const saslHandshake: Messages = {
  request: schema([f("Mechanism", "string")]),
  response: schema([f("ErrorCode", "int16"), f("Mechanisms", arrayOf("string"))]),
};

export const saslAuthenticate: Messages = {
  request: schema([f("AuthBytes", "bytes")], 2),
  response: schema(
    [
      f("ErrorCode", "int16"),
      f("ErrorMessage", "string?"),
      f("AuthBytes", "bytes"),
      f("SessionLifetimeMs", "int64", "1+"),
    ],
    2,
  ),
};
