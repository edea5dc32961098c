// Consumer groups: state, members and total lag, a page of the listing at a time.

import { useState } from "preact/hooks";
import { pool, type Group, type GroupList } from "../api.js";
import { href } from "../router.js";
import { useConsole } from "../ui/context.js";
import { ErrorBox } from "../ui/error.js";
import { count } from "../ui/format.js";
import { useAsync } from "../ui/hooks.js";
import type { Screen } from "./screen.js";

export function totalLag(g: Group): number | null {
  const known = g.partitions.filter((p) => p.lag !== null);
  return known.length ? known.reduce((n, p) => n + p.lag!, 0) : null;
}

function Groups() {
  const { api } = useConsole();
  const [after, setAfter] = useState<string[]>([]);
  const cursor = after.at(-1) ?? null;
  const page = useAsync(async (): Promise<{ list: GroupList; lags: (number | null)[] }> => {
    const list = await api.groupsPage(cursor, 50);
    // Lag needs each group's description: only this page's groups are asked, a few at a time.
    const lags = await pool(list.groups, 4, (g) => api.describeGroup(g.group_id).then(totalLag, () => null));
    return { list, lags };
  }, [cursor]);
  const groups = page.data?.list.groups ?? [];
  return (
    <>
      <ErrorBox error={page.error} />
      {page.loading && <p class="status">Loading groups…</p>}
      {page.data && groups.length === 0 && <p>No consumer groups{cursor ? " on this page" : " yet"}.</p>}
      {groups.length > 0 && (
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Consumer groups">
          <table>
            <thead>
              <tr>
                <th scope="col">Group</th>
                <th scope="col">State</th>
                <th scope="col">Members</th>
                <th scope="col">Total lag</th>
              </tr>
            </thead>
            <tbody>
              {groups.map((g, i) => (
                <tr key={g.group_id}>
                  <th scope="row">
                    <a href={href("/groups/:group", { group: g.group_id })}>{g.group_id}</a>
                  </th>
                  <td>{g.state}</td>
                  <td class="num">{g.members}</td>
                  <td class="num">{count(page.data!.lags[i])}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div class="row">
        {after.length > 0 && (
          <button type="button" onClick={() => setAfter(after.slice(0, -1))}>
            Previous page
          </button>
        )}
        {page.data?.list.next_after && (
          <button type="button" onClick={() => setAfter([...after, page.data!.list.next_after!])}>
            Next page
          </button>
        )}
        <button type="button" onClick={page.reload}>
          Refresh
        </button>
      </div>
    </>
  );
}

export const groupsScreen: Screen = {
  path: "/groups",
  title: "Consumer groups",
  nav: "Consumer groups",
  requires: ["/v1/groups", "/v1/groups/{group}"],
  component: Groups,
};
