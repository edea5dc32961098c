// Topics: the listing with search (over the API's pages), and links to each topic's screens.

import { useEffect, useState } from "preact/hooks";
import type { Topic } from "../api.js";
import { searchTopics, type SearchState } from "../records/topic-search.js";
import { href } from "../router.js";
import { useConsole } from "../ui/context.js";
import { ErrorBox } from "../ui/error.js";
import { count } from "../ui/format.js";
import type { Screen } from "./screen.js";

const SHOWN = 50;

function Topics() {
  const { api } = useConsole();
  const [query, setQuery] = useState("");
  const [state, setState] = useState<SearchState<Topic>>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const run = async (from?: SearchState<Topic>) => {
    setBusy(true);
    setError(undefined);
    try {
      // A search reads the largest pages the API gives; the plain listing reads what it shows.
      const limit = query.trim() ? 1000 : SHOWN;
      setState(await searchTopics((after) => api.topicsPage(after, limit), query, SHOWN, from));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  useEffect(() => {
    const t = setTimeout(() => void run(), query ? 250 : 0);
    return () => clearTimeout(t);
  }, [query]);

  return (
    <>
      <div class="toolbar">
        <label class="grow">
          Search topics
          <input
            type="search"
            value={query}
            placeholder="part of a name"
            onInput={(e) => setQuery(e.currentTarget.value)}
          />
        </label>
        <a class="button" href={href("/new-topic")}>
          Create topic
        </a>
      </div>
      <p class="status" aria-live="polite">
        {busy
          ? "Reading topics…"
          : state &&
            `${count(state.matches.length)} ${query.trim() ? "matching" : ""} topics shown, ${count(state.read)} read${
              state.cursor !== null ? " (more in the listing)" : ""
            }`}
      </p>
      <ErrorBox error={error} />
      {state && state.matches.length > 0 && (
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Topics">
          <table>
            <caption class="sr-only">Topics</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Partitions</th>
                <th scope="col">cleanup.policy</th>
                <th scope="col">Open</th>
              </tr>
            </thead>
            <tbody>
              {state.matches.map((t) => (
                <tr key={t.name}>
                  <th scope="row">
                    <a href={href("/topics/:topic", { topic: t.name })}>{t.name}</a>
                  </th>
                  <td class="num">{t.partitions}</td>
                  <td>{String(t.config["cleanup.policy"] ?? "")}</td>
                  <td class="links">
                    <a href={href("/topics/:topic/messages", { topic: t.name })} aria-label={`Messages of ${t.name}`}>
                      Messages
                    </a>
                    <a href={href("/topics/:topic/live", { topic: t.name })} aria-label={`Live tail of ${t.name}`}>
                      Live
                    </a>
                    <a href={href("/topics/:topic/produce", { topic: t.name })} aria-label={`Produce to ${t.name}`}>
                      Produce
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {state && state.matches.length === 0 && !busy && <p>No topics{query.trim() ? " match" : " yet"}.</p>}
      {state && state.cursor !== null && (
        <button type="button" disabled={busy} onClick={() => run(state)}>
          {query.trim() ? "Search further" : "Show more"}
        </button>
      )}
    </>
  );
}

export const topicsScreen: Screen = {
  path: "/topics",
  title: "Topics",
  nav: "Topics",
  requires: ["/v1/topics"],
  component: Topics,
};
