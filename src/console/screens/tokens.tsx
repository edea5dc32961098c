// Tokens: the list with their grants, creating one (with a preview of what it may do; its secret is
// shown once), and revoking.

import { useState } from "preact/hooks";
import type { CreatedToken } from "../api.js";
import { OPERATIONS, previewGrants, type GrantInput, type Operation } from "../grants.js";
import { Confirm } from "../ui/confirm.js";
import { useConsole } from "../ui/context.js";
import { ErrorBox } from "../ui/error.js";
import { fromLocalInput, time } from "../ui/format.js";
import { useAsync } from "../ui/hooks.js";
import type { Screen } from "./screen.js";

function Tokens() {
  const { api } = useConsole();
  const list = useAsync(() => api.tokens(), []);
  const [revoking, setRevoking] = useState<string | null>(null);
  const [revokeError, setRevokeError] = useState<unknown>();
  return (
    <>
      <ErrorBox error={list.error} />
      {list.data && list.data.length === 0 && <p>No scoped tokens yet.</p>}
      {list.data && list.data.length > 0 && (
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Tokens">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Id</th>
                <th scope="col">Grants</th>
                <th scope="col">Expires</th>
                <th scope="col">Created</th>
                <th scope="col">Revoke</th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((t) => (
                <tr key={t.id}>
                  <th scope="row">{t.name}</th>
                  <td>
                    <code>{t.id}</code>
                  </td>
                  <td>
                    {t.grants.map((g) => (
                      <div key={g.resource}>
                        <code>{g.resource}</code>: {g.operations.join(", ")}
                      </div>
                    ))}
                  </td>
                  <td>{t.expires_at === null ? "never" : time(t.expires_at)}</td>
                  <td>
                    {time(t.created_at)} by {t.created_by}
                  </td>
                  <td>
                    <button
                      type="button"
                      class="danger"
                      onClick={() => setRevoking(t.name)}
                      aria-label={`Revoke ${t.name}`}
                    >
                      Revoke
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ErrorBox error={revokeError} />
      <Confirm
        open={revoking !== null}
        title={`Revoke token ${revoking}?`}
        name={revoking ?? ""}
        action="Revoke token"
        onCancel={() => setRevoking(null)}
        onConfirm={async () => {
          const token = list.data?.find((t) => t.name === revoking);
          setRevoking(null);
          try {
            if (token) await api.revokeToken(token.id);
            list.reload();
          } catch (e) {
            setRevokeError(e);
          }
        }}
      />
      <h2>Create a token</h2>
      <CreateToken onCreated={list.reload} />
    </>
  );
}

function CreateToken({ onCreated }: { onCreated(): void }) {
  const { api } = useConsole();
  const [name, setName] = useState("");
  const [grants, setGrants] = useState<GrantInput[]>([{ resource: "topic:", operations: ["consume"] }]);
  const [expires, setExpires] = useState("");
  const [created, setCreated] = useState<CreatedToken>();
  const [error, setError] = useState<unknown>();
  const update = (i: number, g: GrantInput) => setGrants(grants.map((x, j) => (j === i ? g : x)));
  return (
    <form
      class="form"
      aria-label="Create a token"
      onSubmit={async (e) => {
        e.preventDefault();
        setError(undefined);
        setCreated(undefined);
        try {
          const ms = fromLocalInput(expires);
          setCreated(await api.createToken({ name, grants, ...(ms === null ? {} : { expires_at: ms }) }));
          onCreated();
        } catch (err) {
          setError(err);
        }
      }}
    >
      <div class="field">
        <label for="t-name">Name</label>
        <input id="t-name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </div>
      {grants.map((g, i) => (
        <fieldset key={i} class="grant">
          <legend>Grant {i + 1}</legend>
          <div class="field">
            <label for={`t-resource-${i}`}>Resource</label>
            <input
              id={`t-resource-${i}`}
              value={g.resource}
              spellcheck={false}
              aria-describedby="t-resource-hint"
              onInput={(e) => update(i, { ...g, resource: e.currentTarget.value })}
            />
          </div>
          <div class="checks" role="group" aria-label={`Operations of grant ${i + 1}`}>
            {OPERATIONS.map((op) => (
              <label key={op} class="check">
                <input
                  type="checkbox"
                  checked={g.operations.includes(op)}
                  onChange={(e) =>
                    update(i, {
                      ...g,
                      operations: e.currentTarget.checked
                        ? [...g.operations, op]
                        : g.operations.filter((o): o is Operation => o !== op),
                    })
                  }
                />
                {op}
              </label>
            ))}
          </div>
          {grants.length > 1 && (
            <button type="button" onClick={() => setGrants(grants.filter((_, j) => j !== i))}>
              Remove grant {i + 1}
            </button>
          )}
        </fieldset>
      ))}
      <small id="t-resource-hint">
        <code>topic:orders</code>, <code>topic:orders.*</code> (a prefix), <code>topic:*</code>,{" "}
        <code>group:billing</code>, <code>cluster</code>.
      </small>
      <button type="button" onClick={() => setGrants([...grants, { resource: "group:", operations: ["consume"] }])}>
        Add grant
      </button>
      <div class="field">
        <label for="t-expires">Expires (local time, empty: never)</label>
        <input
          id="t-expires"
          type="datetime-local"
          value={expires}
          onInput={(e) => setExpires(e.currentTarget.value)}
        />
      </div>
      <section class="preview" aria-label="What this token can do">
        <h3>What this token can do</h3>
        <ul>
          {previewGrants(grants).map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
        <p class="muted">Nothing else. A token can only be given grants the signed-in token holds itself.</p>
      </section>
      <button type="submit">Create token</button>
      <ErrorBox error={error} />
      {created && (
        <div class="ok" role="status">
          <p>
            Token <strong>{created.name}</strong> created. Copy it now: it is never shown again.
          </p>
          <label>
            Token
            <input
              readOnly
              value={created.token}
              data-testid="created-token"
              onFocus={(e) => e.currentTarget.select()}
            />
          </label>
        </div>
      )}
    </form>
  );
}

export const tokensScreen: Screen = {
  path: "/tokens",
  title: "Tokens",
  nav: "Tokens",
  requires: ["/v1/tokens", "/v1/tokens/{id}"],
  component: Tokens,
};
