// A connector's tasks: where each sink task runs (a member host object), the spec it runs with, and
// the Kafka Connect status of connector and tasks from what the hosts report.

import type { StoredConnector } from "../../contracts/connector.js";
import type { HostSpec, HostStatus } from "../../contracts/host.js";
import type { ConnectorState, ConnectorStatus, TaskStatus } from "../../protocol/connect-api.js";
import { PAUSED_KEY, SINK_KIND, TASK_ID_KEY } from "./sink-kind.js";

export const hostName = (c: Pick<StoredConnector, "name" | "id">, task: number) => `connect:${c.name}:${c.id}:${task}`;

export function taskSpec(c: StoredConnector, task: number): HostSpec {
  return {
    kind: SINK_KIND,
    name: c.name,
    config: { ...c.config, [TASK_ID_KEY]: String(task), [PAUSED_KEY]: c.target === "PAUSED" ? "true" : "false" },
    ...(c.token ? { token: c.token } : {}),
  };
}

function sinkTaskState(c: StoredConnector, s: HostStatus): { state: ConnectorState; trace?: string } {
  if (c.target === "STOPPED") return { state: "STOPPED" };
  if (s.failed) return { state: "FAILED", trace: s.trace ?? "failed" };
  if (!s.spec) return { state: "UNASSIGNED" };
  if (c.target === "PAUSED") return { state: "PAUSED" };
  // Still running, but its last slices failed and are being retried: say why.
  if (s.failures > 0 && s.last_error)
    return { state: "RUNNING", trace: `retrying after ${s.failures} failure(s): ${s.last_error}` };
  return { state: "RUNNING" };
}

const connectorState = (c: StoredConnector): ConnectorState =>
  c.target === "STOPPED" ? "STOPPED" : c.target === "PAUSED" ? "PAUSED" : "RUNNING";

export function sinkStatus(c: StoredConnector, hosts: HostStatus[]): ConnectorStatus {
  // A stopped connector has no tasks, as in Kafka.
  const tasks: TaskStatus[] =
    c.target === "STOPPED" ? [] : hosts.map((s, id) => ({ id, worker_id: hostName(c, id), ...sinkTaskState(c, s) }));
  return {
    name: c.name,
    connector: { state: connectorState(c), worker_id: `connector:${c.name}` },
    tasks,
    type: "sink",
  };
}

export function sourceStatus(c: StoredConnector, failedTrace: string | null): ConnectorStatus {
  const task: TaskStatus = { id: 0, worker_id: `connector:${c.name}`, state: connectorState(c) };
  if (failedTrace !== null && c.target === "STARTED") {
    task.state = "FAILED";
    task.trace = failedTrace;
  }
  return {
    name: c.name,
    connector: { state: connectorState(c), worker_id: `connector:${c.name}` },
    tasks: c.target === "STOPPED" ? [] : [task],
    type: "source",
  };
}
