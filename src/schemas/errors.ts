// The one error schema parsers throw: INVALID_SCHEMA (Confluent's 42201) with the parser's message.

import { EdgelogError } from "../protocol/errors.js";

export class SchemaError extends EdgelogError {
  constructor(message: string) {
    super("INVALID_SCHEMA", message);
  }
}
