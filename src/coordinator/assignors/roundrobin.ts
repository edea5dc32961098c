// Kafka's round-robin assignor: all subscribed partitions in order, dealt to members in turn,
// skipping members not subscribed to the partition's topic.

import { emptyAssignment, finish, sortedMembers, subscribedPartitions, type Assignor } from "./types.js";

export const roundrobin: Assignor = (input) => {
  const out = emptyAssignment(input.members);
  const members = sortedMembers(input.members);
  if (members.length === 0) return out;
  let next = 0;
  for (const tp of subscribedPartitions(input)) {
    for (let tries = 0; tries < members.length; tries++) {
      const m = members[next]!;
      next = (next + 1) % members.length;
      if (m.topics.includes(tp.topic)) {
        out.get(m.id)!.push(tp);
        break;
      }
    }
  }
  return finish(out);
};
