// A partition's alarm policy on its own: when background work is due after an append, after a
// slice of it and after a failure, and a scheduler that keeps one alarm at the earliest time asked.

import { describe, expect, it } from "vitest";
import { AlarmScheduler, nextAlarm, type AlarmConfig, type AlarmState } from "../../src/partition/alarm.js";

const NOW = 1_000_000;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
// Segment and retention settings, written out rather than taken from the topic config defaults.
const config: AlarmConfig = { "segment.bytes": 1024, "segment.ms": 10 * MINUTE, "retention.ms": 30 * MINUTE };

const appended = (over: Partial<Extract<AlarmState, { after: "append" }>> = {}): AlarmState => ({
  after: "append",
  config,
  alarmAt: null,
  hotBytes: 100,
  unsealedBytes: 100,
  hasProducers: false,
  ...over,
});

const maintained = (over: Partial<Extract<AlarmState, { after: "maintenance" }>> = {}): AlarmState => ({
  after: "maintenance",
  due: null,
  replicasBehind: false,
  hasProducers: false,
  ...over,
});

describe("nextAlarm after an append", () => {
  it("makes a roll due now once the unsealed head has passed segment.bytes", () => {
    expect(nextAlarm(appended({ hotBytes: 5000, unsealedBytes: 1024 }), NOW)).toBe(NOW);
    expect(nextAlarm(appended({ hotBytes: 5000, unsealedBytes: 1024, alarmAt: NOW + HOUR }), NOW)).toBe(NOW);
  });

  it("does not count bytes already sealed into segments awaiting upload", () => {
    expect(nextAlarm(appended({ hotBytes: 5000, unsealedBytes: 1023, alarmAt: NOW + MINUTE }), NOW)).toBeNull();
  });

  it("arms the nearer of segment.ms and retention.ms when no alarm is set", () => {
    expect(nextAlarm(appended(), NOW)).toBe(NOW + 10 * MINUTE);
    expect(nextAlarm(appended({ config: { ...config, "retention.ms": 5 * MINUTE } }), NOW)).toBe(NOW + 5 * MINUTE);
    // retention.ms -1 keeps data for ever: only the roll's deadline counts.
    expect(nextAlarm(appended({ config: { ...config, "retention.ms": -1 } }), NOW)).toBe(NOW + 10 * MINUTE);
  });

  it("leaves an alarm that is set alone: the alarm computes exact deadlines itself", () => {
    expect(nextAlarm(appended({ alarmAt: NOW + 3 * HOUR }), NOW)).toBeNull();
    // Already due (running or about to): nothing to add, not even a full head.
    expect(nextAlarm(appended({ alarmAt: NOW, hotBytes: 5000, unsealedBytes: 5000 }), NOW)).toBeNull();
  });

  it("sweeps idle producers within the hour while any producer state is kept", () => {
    expect(nextAlarm(appended({ alarmAt: NOW + 3 * HOUR, hasProducers: true }), NOW)).toBe(NOW + HOUR);
    const weekly = { ...config, "segment.ms": 7 * 24 * HOUR, "retention.ms": -1 };
    expect(nextAlarm(appended({ hasProducers: true, config: weekly }), NOW)).toBe(NOW + HOUR);
  });
});

describe("nextAlarm after a slice of background work", () => {
  it("is due when the work says, or never", () => {
    expect(nextAlarm(maintained({ due: NOW }), NOW)).toBe(NOW);
    expect(nextAlarm(maintained({ due: NOW + 20 * MINUTE }), NOW)).toBe(NOW + 20 * MINUTE);
    expect(nextAlarm(maintained(), NOW)).toBeNull();
  });

  it("comes back within a second while a follower is behind", () => {
    expect(nextAlarm(maintained({ due: NOW + HOUR, replicasBehind: true }), NOW)).toBe(NOW + 1_000);
    expect(nextAlarm(maintained({ replicasBehind: true }), NOW)).toBe(NOW + 1_000);
  });

  it("comes back within the hour while producer state is kept", () => {
    expect(nextAlarm(maintained({ hasProducers: true }), NOW)).toBe(NOW + HOUR);
    expect(nextAlarm(maintained({ due: NOW + 5 * HOUR, hasProducers: true }), NOW)).toBe(NOW + HOUR);
  });
});

describe("nextAlarm after a failed slice", () => {
  it("retries after ten seconds", () => {
    expect(nextAlarm({ after: "failure" }, NOW)).toBe(NOW + 10_000);
  });
});

describe("AlarmScheduler", () => {
  function storage(initial: number | null) {
    const sets: number[] = [];
    return { sets, getAlarm: async () => initial, setAlarm: async (at: number) => void sets.push(at) };
  }

  it("moves the alarm only earlier, and asks storage only when it does", async () => {
    const s = storage(NOW + HOUR);
    const scheduler = new AlarmScheduler(s);
    await scheduler.load();
    await scheduler.wakeBy(NOW + 2 * HOUR);
    await scheduler.wakeBy(null);
    expect(s.sets).toEqual([]);
    await scheduler.wakeBy(NOW + MINUTE);
    await scheduler.wakeBy(NOW + MINUTE);
    expect(s.sets).toEqual([NOW + MINUTE]);
    expect(scheduler.at).toBe(NOW + MINUTE);
  });

  it("sets the alarm again once it has fired or storage was wiped", async () => {
    const s = storage(null);
    const scheduler = new AlarmScheduler(s);
    await scheduler.wakeBy(NOW);
    scheduler.cleared();
    await scheduler.wakeBy(NOW + HOUR);
    expect(s.sets).toEqual([NOW, NOW + HOUR]);
  });
});
