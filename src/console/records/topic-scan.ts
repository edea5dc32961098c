// Every topic the token may see, and descriptions of the first few: what the overview and the
// replication screen add up (a page of describes bounded by `limit`, a few at a time).

import { pool, type Api, type Topic, type TopicDescription } from "../api.js";
import { searchTopics } from "./topic-search.js";

export interface TopicsSummary {
  topics: Topic[];
  described: TopicDescription[];
  /** True when more topics exist than were described. */
  partial: boolean;
}

export async function describeTopics(api: Api, limit: number, which?: (t: Topic) => boolean): Promise<TopicsSummary> {
  let state = await searchTopics((after) => api.topicsPage(after, 1000), "", 1000);
  while (state.cursor !== null) state = await searchTopics((after) => api.topicsPage(after, 1000), "", 1000, state);
  const chosen = state.matches.filter(which ?? (() => true));
  const described = await pool(chosen.slice(0, limit), 4, (t) => api.describeTopic(t.name));
  return { topics: state.matches, described, partial: chosen.length > limit };
}
