// Following a name-ordered listing (GET /v1/topics, GET /v1/groups) to its end: `limit` and
// `after` in, `next_after` out (null on the last page). Shared by every client of the listings.

import { LIST_PAGE_MAX } from "./constants.js";

/** One page of a listing, its items under `key`. */
export type ListPage = Record<string, unknown> & { next_after?: string | null };

/** Every item of a listing, asked in the largest pages the server gives; `get` fetches one page's query string. */
export async function everyPage<T>(key: string, get: (query: string) => Promise<ListPage>): Promise<T[]> {
  const all: T[] = [];
  let after: string | null = null;
  do {
    const page: ListPage = await get(
      `?limit=${LIST_PAGE_MAX}${after === null ? "" : `&after=${encodeURIComponent(after)}`}`,
    );
    all.push(...((page[key] as T[] | undefined) ?? []));
    after = page.next_after ?? null;
  } while (after !== null);
  return all;
}
