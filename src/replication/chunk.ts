// What the leader ships to a follower and what the follower answers.

/** A follower's object name: the leader's name plus the region (`${topicId}/${p}@${region}`). */
export function replicaObjectName(leaderName: string, region: string): string {
  return `${leaderName}@${region}`;
}
