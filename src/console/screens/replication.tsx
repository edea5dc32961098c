// Replication: mirrors from other deployments (progress, lag, last error) and the follower replicas
// of geo-replicated topics (in sync or not, lag per region).

import { tpKey } from "../../protocol/topic-partition.js";
import { useConsole } from "../ui/context.js";
import { ErrorBox } from "../ui/error.js";
import { count } from "../ui/format.js";
import { useAsync } from "../ui/hooks.js";
import { describeTopics } from "../records/topic-scan.js";
import { href } from "../router.js";
import type { Screen } from "./screen.js";

const DESCRIBED = 100;

function Replication() {
  const { api, routes } = useConsole();
  const mirrors = useAsync(() => (routes.has("/v1/mirrors") ? api.mirrors() : Promise.resolve([])), []);
  const replicas = useAsync(
    () =>
      describeTopics(
        api,
        DESCRIBED,
        (t) => Array.isArray(t.config["replica.regions"]) && (t.config["replica.regions"] as unknown[]).length > 0,
      ),
    [],
  );
  return (
    <>
      <h2>Mirrors</h2>
      <ErrorBox error={mirrors.error} />
      {mirrors.data && mirrors.data.length === 0 && (
        <p>No mirrors. POST /v1/mirrors creates one (docs/geo-replication.md).</p>
      )}
      {mirrors.data && mirrors.data.length > 0 && (
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Mirrors">
          <table>
            <thead>
              <tr>
                <th scope="col">Mirror</th>
                <th scope="col">Source</th>
                <th scope="col">Local topic</th>
                <th scope="col">Lag</th>
                <th scope="col">Partitions (source offset / high watermark)</th>
              </tr>
            </thead>
            <tbody>
              {mirrors.data.map((m) => (
                <tr key={m.name}>
                  <th scope="row">{m.name}</th>
                  <td>
                    {m.source.url} · {m.source.topic}
                  </td>
                  <td>
                    <a href={href("/topics/:topic", { topic: m.topic })}>{m.topic}</a>
                  </td>
                  <td class="num">{count(m.lag)}</td>
                  <td>
                    {m.partitions.map((p) => (
                      <div key={p.partition}>
                        {p.partition}: {count(p.source_offset)} / {count(p.source_high_watermark)}
                        {p.records_skipped > 0 && `, ${count(p.records_skipped)} skipped`}
                        {p.last_error && <span class="bad"> — {p.last_error}</span>}
                      </div>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h2>Geo-replicated topics</h2>
      <ErrorBox error={replicas.error} />
      {replicas.data && replicas.data.described.length === 0 && (
        <p>No topic has replica.regions set, so every partition lives in one place.</p>
      )}
      {replicas.data && replicas.data.described.length > 0 && (
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Replicas">
          <table>
            <thead>
              <tr>
                <th scope="col">Topic</th>
                <th scope="col">Partition</th>
                <th scope="col">In sync</th>
                <th scope="col">Followers (region: lag)</th>
              </tr>
            </thead>
            <tbody>
              {replicas.data.described.flatMap((t) =>
                t.partitions.map((p) => (
                  <tr key={tpKey(t.name, p.partition)}>
                    <td>{t.name}</td>
                    <td class="num">{p.partition}</td>
                    <td>{(p.isr ?? []).join(", ")}</td>
                    <td>
                      {(p.replicas ?? []).map((r) => (
                        <div key={r.region} class={r.in_sync ? "" : "bad"}>
                          {r.region}: {count(r.lag)}
                          {r.in_sync ? "" : " (out of sync)"}
                          {r.error ? ` — ${r.error}` : ""}
                        </div>
                      ))}
                    </td>
                  </tr>
                )),
              )}
            </tbody>
          </table>
        </div>
      )}
      {replicas.data?.partial && <p class="muted">Only the first {DESCRIBED} geo-replicated topics are shown.</p>}
    </>
  );
}

export const replicationScreen: Screen = {
  path: "/replication",
  title: "Mirrors and replicas",
  nav: "Replication",
  requires: ["/v1/topics"],
  component: Replication,
};
