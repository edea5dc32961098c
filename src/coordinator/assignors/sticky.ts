// The sticky assignor: balanced like round-robin, but a membership change moves only as many
// partitions as balance requires (each member keeps what it had, up to its fair share).

import { tpKey } from "../../protocol/topic-partition.js";
import {
  emptyAssignment,
  finish,
  sortedMembers,
  subscribedPartitions,
  type AssignorMember,
  type Assignor,
  type TopicPartition,
} from "./types.js";

const key = (tp: TopicPartition) => tpKey(tp.topic, tp.partition);

export const sticky: Assignor = (input) => {
  const out = emptyAssignment(input.members);
  const members = sortedMembers(input.members);
  if (members.length === 0) return out;
  const eligible = (m: AssignorMember, tp: TopicPartition) => m.topics.includes(tp.topic);
  const all = subscribedPartitions(input);
  const exists = new Set(all.map(key));

  // 1. Keep every previous partition that still exists and is still subscribed.
  const taken = new Set<string>();
  for (const m of members) {
    for (const tp of input.previous.get(m.id) ?? []) {
      const k = key(tp);
      if (exists.has(k) && !taken.has(k) && eligible(m, tp)) {
        out.get(m.id)!.push(tp);
        taken.add(k);
      }
    }
  }
  // 2. Each free partition goes to the least-loaded member that may take it.
  for (const tp of all) {
    if (taken.has(key(tp))) continue;
    let best: AssignorMember | undefined;
    for (const m of members) {
      if (eligible(m, tp) && (!best || out.get(m.id)!.length < out.get(best.id)!.length)) best = m;
    }
    if (best) out.get(best.id)!.push(tp);
  }
  // 3. Move single partitions from the most- to the least-loaded member until within one. Each move
  // lowers the sum of squared loads, so this ends; taking from the most loaded first is what keeps
  // the moved count minimal (the fuller members keep the larger shares).
  for (;;) {
    const byLoad = [...members].sort((a, b) => out.get(b.id)!.length - out.get(a.id)!.length);
    let moved = false;
    for (const from of byLoad) {
      const have = out.get(from.id)!;
      for (const to of [...byLoad].reverse()) {
        if (out.get(to.id)!.length + 1 >= have.length) break;
        // Give away the partition most recently added to `from` (kept ones sit first).
        for (let i = have.length - 1; i >= 0; i--) {
          if (!eligible(to, have[i]!)) continue;
          out.get(to.id)!.push(have.splice(i, 1)[0]!);
          moved = true;
          break;
        }
        if (moved) break;
      }
      if (moved) break;
    }
    if (!moved) return finish(out);
  }
};
