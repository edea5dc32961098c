// Sign-in: a token, checked against the API before it is kept in this tab's sessionStorage.

import { useState } from "preact/hooks";
import { Api } from "../api.js";
import { ErrorBox } from "../ui/error.js";

export function SignIn({ onSignIn }: { onSignIn(token: string): void }) {
  const [token, setToken] = useState("");
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  return (
    <main id="main" class="signin">
      <h1>Sign in to edgelog</h1>
      <p>
        This server requires a token: the admin secret (<code>EDGELOG_ADMIN_TOKEN</code>) or a scoped token. It is kept
        in this tab only and sent to this server's API alone; the console can do what the token may.
      </p>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(undefined);
          try {
            // Any token may list topics (it sees those it may describe): a 401 means a bad token.
            await new Api(token.trim()).topicsPage(null, 1);
            onSignIn(token.trim());
          } catch (err) {
            setError(err);
          } finally {
            setBusy(false);
          }
        }}
      >
        <label>
          API token
          <input
            type="password"
            name="token"
            required
            autocomplete="off"
            spellcheck={false}
            value={token}
            onInput={(e) => setToken(e.currentTarget.value)}
          />
        </label>
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
      <ErrorBox error={error} title="Sign-in refused" />
    </main>
  );
}
