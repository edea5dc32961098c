// Picks the output session for a processing guarantee: at_least_once's shared idempotent producer,
// or exactly_once's transactional producer per task.

import type { Edgelog } from "../../client/index.js";
import { ExactlyOnceSession } from "./exactly-once.js";
import {
  AtLeastOnceSession,
  checkGuarantee,
  isExactlyOnce,
  type OutputSession,
  type ProcessingGuarantee,
} from "./guarantee.js";

export function createOutputSession(
  guarantee: ProcessingGuarantee,
  client: Edgelog,
  applicationId: string,
): OutputSession {
  return isExactlyOnce(checkGuarantee(guarantee))
    ? new ExactlyOnceSession(client, applicationId)
    : new AtLeastOnceSession(client);
}
