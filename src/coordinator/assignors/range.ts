// Kafka's range assignor: per topic, contiguous partition ranges, so partition i of co-partitioned
// topics goes to the same member (what joins over keyed topics rely on).

import { emptyAssignment, finish, sortedMembers, type Assignor } from "./types.js";

export const range: Assignor = (input) => {
  const out = emptyAssignment(input.members);
  const members = sortedMembers(input.members);
  for (const [topic, count] of [...input.partitions].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const subscribers = members.filter((m) => m.topics.includes(topic));
    if (subscribers.length === 0) continue;
    const per = Math.floor(count / subscribers.length);
    const extra = count % subscribers.length;
    subscribers.forEach((m, i) => {
      const start = i * per + Math.min(i, extra);
      const length = per + (i < extra ? 1 : 0);
      for (let p = start; p < start + length; p++) out.get(m.id)!.push({ topic, partition: p });
    });
  }
  return finish(out);
};
