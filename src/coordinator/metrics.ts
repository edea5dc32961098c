// A group's metrics report (state, members, epoch, committed offsets), pushed to the cluster
// aggregate from the coordinator's alarm at most once per interval after something changed.

import type { Env } from "../env.js";
import { PushClock } from "../metrics/push-clock.js";
import type { GroupReport } from "../metrics/reports.js";
import { metricsObject } from "../objects.js";
import { unwrap } from "../protocol/errors.js";
import type { Group } from "./group.js";
import type { OffsetStore } from "./offsets.js";

export class GroupMetrics {
  readonly #clock: PushClock;
  readonly #startedAt = Date.now();
  /** The group's id, as the last call that changed it named it (a group with only commits has no members to carry it). */
  #groupId: string | null = null;

  constructor(
    private readonly env: Env,
    private readonly pushMs: number,
  ) {
    this.#clock = new PushClock(this.#startedAt);
  }

  changed(groupId?: string): void {
    if (groupId !== undefined) this.#groupId = groupId;
    this.#clock.changed();
  }

  /** When the alarm must fire for a push (null: nothing changed). */
  due(): number | null {
    const at = this.#clock.due(this.pushMs);
    return at === null ? null : Math.max(at, Date.now());
  }

  /** From the alarm: pushes the report if anything changed; a failure is retried by a later alarm. */
  async push(group: Group, offsets: OffsetStore, now = Date.now()): Promise<void> {
    const id = group.groupId ?? this.#groupId;
    if (!this.#clock.unpushed || id === null) return;
    const report: GroupReport = {
      group: id,
      startedAt: this.#startedAt,
      at: now,
      state: group.state(),
      members: group.memberCount,
      epoch: group.epoch,
      offsets: offsets
        .list()
        .map((o) => ({ topic: o.topic, topicId: o.topic_id, partition: o.partition, offset: o.offset })),
    };
    this.#clock.pushed(now);
    try {
      unwrap(await metricsObject(this.env, "cluster").pushGroup(report));
    } catch (e) {
      this.#clock.failed();
      console.error(`group ${id}: metrics push failed`, e);
    }
  }

  /** The group was deleted: its series go. */
  async forget(groupId: string): Promise<void> {
    unwrap(await metricsObject(this.env, "cluster").forgetGroup(groupId));
  }
}
