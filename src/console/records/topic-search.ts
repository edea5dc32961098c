// Topic search over the paged listing (GET /v1/topics: limit, after, next_after): the pages are read
// in name order until enough names match, and the search resumes from where it stopped.

export interface TopicPage<T> {
  topics: T[];
  next_after: string | null;
}

export interface SearchState<T> {
  matches: T[];
  /** Where to resume (the listing's next_after), or null once the listing was read to its end. */
  cursor: string | null;
  /** Topics read so far. */
  read: number;
}

/**
 * Reads pages from `state.cursor` until `want` more names contain `query` (case-insensitive) or the
 * listing ends. An empty query matches every name, so it pages through the plain listing.
 */
export async function searchTopics<T extends { name: string }>(
  getPage: (after: string | null) => Promise<TopicPage<T>>,
  query: string,
  want: number,
  state: SearchState<T> = { matches: [], cursor: null, read: 0 },
): Promise<SearchState<T>> {
  const q = query.trim().toLowerCase();
  const matches = [...state.matches];
  let { cursor, read } = state;
  const goal = matches.length + want;
  let first = state.read === 0;
  while (matches.length < goal && (first || cursor !== null)) {
    first = false;
    const page = await getPage(cursor);
    read += page.topics.length;
    for (const t of page.topics) if (t.name.toLowerCase().includes(q)) matches.push(t);
    cursor = page.next_after;
  }
  return { matches, cursor, read };
}
