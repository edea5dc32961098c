// One consumer group: members and their assignment, committed offset and lag per partition with a
// lag chart while the page is open, offset reset with a preview, and deleting an empty group.

import { tpKey } from "../../protocol/topic-partition.js";
import { useState } from "preact/hooks";
import type { Group } from "../api.js";
import { href } from "../router.js";
import { Chart } from "../ui/chart.js";
import { Confirm } from "../ui/confirm.js";
import { useConsole } from "../ui/context.js";
import { ErrorBox } from "../ui/error.js";
import { count } from "../ui/format.js";
import { usePoll } from "../ui/hooks.js";
import { ResetOffsets } from "./group-reset.js";
import { totalLag } from "./groups.js";
import type { Screen, ScreenProps } from "./screen.js";

const POLL_MS = 2_000;
const SAMPLES = 150;

function GroupDetail({ params }: ScreenProps) {
  const { api } = useConsole();
  const id = params.group!;
  const [group, setGroup] = useState<Group>();
  const [error, setError] = useState<unknown>();
  const [samples, setSamples] = useState<{ times: number[]; lag: (number | null)[] }>({ times: [], lag: [] });
  const [deleting, setDeleting] = useState(false);
  const [deleteError, setDeleteError] = useState<unknown>();

  usePoll(
    async (signal) => {
      try {
        const g = await api.describeGroup(id, signal);
        setGroup(g);
        setError(undefined);
        setSamples((s) => ({
          times: [...s.times, Date.now() / 1000].slice(-SAMPLES),
          lag: [...s.lag, totalLag(g)].slice(-SAMPLES),
        }));
      } catch (e) {
        if (!signal.aborted) setError(e);
      }
    },
    POLL_MS,
    [id],
  );

  const lag = group ? totalLag(group) : null;
  return (
    <>
      <ErrorBox error={error} />
      {group && (
        <>
          <dl class="facts">
            <dt>State</dt>
            <dd data-testid="group-state">{group.state}</dd>
            <dt>Members</dt>
            <dd>{group.members.length}</dd>
            <dt>Total lag</dt>
            <dd data-testid="group-lag">{count(lag)}</dd>
            <dt>Group epoch</dt>
            <dd>{group.group_epoch}</dd>
            <dt>Assignor</dt>
            <dd>{group.assignor}</dd>
          </dl>
          <Chart title="Total lag (records)" times={samples.times} series={[{ label: "lag", values: samples.lag }]} />
          <h2>Partitions</h2>
          <div class="table-wrap" tabIndex={0} role="region" aria-label="Partitions of the group">
            <table>
              <thead>
                <tr>
                  <th scope="col">Topic</th>
                  <th scope="col">Partition</th>
                  <th scope="col">Member</th>
                  <th scope="col">Committed</th>
                  <th scope="col">High watermark</th>
                  <th scope="col">Lag</th>
                </tr>
              </thead>
              <tbody>
                {group.partitions.map((p) => (
                  <tr key={tpKey(p.topic, p.partition)}>
                    <td>
                      <a href={href("/topics/:topic", { topic: p.topic })}>{p.topic}</a>
                    </td>
                    <td class="num">{p.partition}</td>
                    <td>
                      <code>{p.member_id ?? "–"}</code>
                    </td>
                    <td class="num">{count(p.committed_offset)}</td>
                    <td class="num">{count(p.high_watermark)}</td>
                    <td class="num">{count(p.lag)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <h2>Members</h2>
          {group.members.length === 0 ? (
            <p>No members: the group is empty, so its offsets can be reset and it can be deleted.</p>
          ) : (
            <div class="table-wrap" tabIndex={0} role="region" aria-label="Members">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Member</th>
                    <th scope="col">Instance</th>
                    <th scope="col">Epoch</th>
                    <th scope="col">Protocol</th>
                    <th scope="col">Assignment</th>
                  </tr>
                </thead>
                <tbody>
                  {group.members.map((m) => (
                    <tr key={m.member_id}>
                      <td>
                        <code>{m.member_id}</code>
                      </td>
                      <td>{m.instance_id ?? "–"}</td>
                      <td class="num">{m.member_epoch}</td>
                      <td>{m.protocol}</td>
                      <td>{m.assignment.map((a) => `${a.topic} [${a.partitions.join(", ")}]`).join("; ") || "–"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <h2>Reset offsets</h2>
          <ResetOffsets group={group} />
          <h2>Delete</h2>
          <p>Deleting removes the group and its committed offsets; the API refuses while it has members.</p>
          <button type="button" class="danger" onClick={() => setDeleting(true)}>
            Delete group
          </button>
          <ErrorBox error={deleteError} />
          <Confirm
            open={deleting}
            title={`Delete group ${id}?`}
            name={id}
            action="Delete group"
            onCancel={() => setDeleting(false)}
            onConfirm={async () => {
              setDeleting(false);
              try {
                await api.deleteGroup(id);
                location.hash = href("/groups");
              } catch (e) {
                setDeleteError(e);
              }
            }}
          />
        </>
      )}
    </>
  );
}

export const groupScreen: Screen = {
  path: "/groups/:group",
  title: (p) => `Group ${p.group}`,
  section: "Consumer groups",
  requires: ["/v1/groups/{group}"],
  component: GroupDetail,
};
