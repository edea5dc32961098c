// The connector plugins edgelog ships (definitions in plugins/; what a plugin is in plugin.ts),
// and finding one by its class or an alias. The tasks that run them are in sinks/ and sources/.

import type { ConnectorPlugin } from "./plugin.js";
import { HTTP_SINK, HTTP_SOURCE } from "./plugins/http.js";
import { QUEUES_SINK, QUEUES_SOURCE } from "./plugins/queues.js";
import { R2_SINK } from "./plugins/r2.js";

export const CONNECTOR_PLUGINS: readonly ConnectorPlugin[] = [
  HTTP_SINK,
  HTTP_SOURCE,
  R2_SINK,
  QUEUES_SINK,
  QUEUES_SOURCE,
];

export function connectorPlugin(name: string): ConnectorPlugin | undefined {
  return CONNECTOR_PLUGINS.find((p) => p.class === name || p.aliases.includes(name));
}
