// Consumer-group helpers for tests: heartbeats over HTTP, and driving session expiry by the object's alarm.

import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { call } from "./api.js";
import { coordinatorObject } from "../../src/objects.js";

let seq = 0;
export function uniqueGroup(prefix = "g"): string {
  return `${prefix}-${Date.now().toString(36)}-${++seq}`;
}

export type Assignment = { topic: string; partitions: number[] }[];

export async function heartbeat(group: string, body: Record<string, unknown>) {
  return call("POST", `/v1/groups/${group}/heartbeat`, body);
}

/** Joins and returns the reply body; throws on a non-200. */
export async function join(group: string, topics: string[], extra: Record<string, unknown> = {}) {
  const r = await heartbeat(group, { member_id: null, member_epoch: 0, topics, ...extra });
  if (r.status !== 200) throw new Error(`join ${group}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body as {
    member_id: string;
    member_epoch: number;
    heartbeat_interval_ms: number;
    assignment: Assignment;
    rejoin?: boolean;
  };
}

export function partitionsOf(assignment: Assignment, topic: string): number[] {
  return assignment.find((a) => a.topic === topic)?.partitions ?? [];
}

export async function describeGroup(group: string) {
  return call("GET", `/v1/groups/${group}`);
}

/**
 * Lets the coordinator's alarm run until `done()` holds: waits for each scheduled alarm time to
 * pass (the session deadline is the event), then runs the alarm with the runtime's helper.
 */
export async function runAlarmsUntil(group: string, done: () => Promise<boolean>): Promise<void> {
  const stub = coordinatorObject(env, group);
  let unscheduled = 0;
  for (let i = 0; i < 1000 && !(await done()); i++) {
    const at = await runInDurableObject(stub, (_o, state) => state.storage.getAlarm());
    if (at === null) {
      // The runtime may be running the alarm itself right now: while it runs, getAlarm() is
      // null and its writes are not visible yet. Give it a moment before calling this a bug.
      if (await done()) return;
      if (++unscheduled > 40) throw new Error(`group ${group} has no alarm scheduled`);
      await scheduler.wait(25);
      continue;
    }
    unscheduled = 0;
    // Wait in short steps: the runtime may fire this alarm itself and set the next one far
    // ahead (another member's deadline), by which time the condition already holds.
    const wait = at - Date.now();
    if (wait > 0) {
      await scheduler.wait(Math.min(wait + 1, 25));
      continue;
    }
    await runDurableObjectAlarm(stub);
  }
  if (!(await done())) throw new Error(`group ${group}: condition not reached after running its alarms`);
}
