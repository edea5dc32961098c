// GroupCoordinatorDO: one consumer group. Declared here so the binding exists; the group
// protocol itself is issue "Consumer groups".

import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.js";

export class GroupCoordinatorDO extends DurableObject<Env> {}
