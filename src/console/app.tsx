// The console's shell: sign-in when the server requires a token, the navigation, and the screen
// the URL fragment names, with focus moved to its heading on every change of screen.

import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { Api } from "./api.js";
import { matchPath, parseHash, type Location } from "./router.js";
import { SCREENS } from "./screens/index.js";
import { available, type Screen } from "./screens/screen.js";
import { SignIn } from "./screens/signin.js";
import { forgetToken, savedToken, saveToken, tokenLabel } from "./session.js";
import { Console } from "./ui/context.js";
import { ErrorBox } from "./ui/error.js";

function useLocation(): Location {
  const [loc, setLoc] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const on = () => setLoc(parseHash(location.hash));
    addEventListener("hashchange", on);
    return () => removeEventListener("hashchange", on);
  }, []);
  return loc;
}

interface Boot {
  auth: "required" | "off";
  routes: Set<string>;
}

export function App() {
  const [token, setToken] = useState(savedToken);
  const [boot, setBoot] = useState<Boot>();
  const [bootError, setBootError] = useState<unknown>();
  const api = useMemo(() => new Api(token), [token]);

  useEffect(() => {
    const open = new Api(undefined);
    Promise.all([open.health(), open.routes()]).then(([h, routes]) => setBoot({ auth: h.auth, routes }), setBootError);
  }, []);

  if (bootError) return <ErrorBox error={bootError} title="Cannot reach the edgelog API" />;
  if (!boot) return <p class="boot">Loading the edgelog console…</p>;
  if (boot.auth === "required" && !token)
    return (
      <SignIn
        onSignIn={(t) => {
          saveToken(t);
          setToken(t);
        }}
      />
    );
  const signOut =
    boot.auth === "required"
      ? () => {
          forgetToken();
          location.hash = "#/";
          setToken(undefined);
        }
      : undefined;
  return (
    <Console.Provider value={{ api, routes: boot.routes }}>
      <Shell who={tokenLabel(token)} signOut={signOut} routes={boot.routes} />
    </Console.Provider>
  );
}

function Shell({ who, signOut, routes }: { who: string; signOut?: () => void; routes: Set<string> }) {
  const loc = useLocation();
  const heading = useRef<HTMLHeadingElement>(null);
  const [menuOpen, setMenuOpen] = useState(false);
  const screens = SCREENS.filter((s) => available(s, routes));
  let current: { screen: Screen; params: Record<string, string> } | undefined;
  for (const screen of screens) {
    const params = matchPath(screen.path, loc.path);
    if (params) {
      current = { screen, params };
      break;
    }
  }
  const title = current
    ? typeof current.screen.title === "string"
      ? current.screen.title
      : current.screen.title(current.params)
    : "Not found";
  const section = current?.screen.section ?? current?.screen.nav;

  useEffect(() => {
    document.title = `${title} · edgelog console`;
    setMenuOpen(false);
    heading.current?.focus();
  }, [loc.path]);

  const Component = current?.screen.component;
  return (
    <>
      <button type="button" class="skip" onClick={() => heading.current?.focus()}>
        Skip to content
      </button>
      <header class="top">
        <a class="brand" href="#/">
          edgelog
        </a>
        <button
          type="button"
          class="menu-toggle"
          aria-expanded={menuOpen}
          aria-controls="main-nav"
          onClick={() => setMenuOpen(!menuOpen)}
        >
          Menu
        </button>
        <nav id="main-nav" aria-label="Main" class={menuOpen ? "open" : ""}>
          <ul>
            {screens
              .filter((s) => s.nav)
              .map((s) => (
                <li key={s.path}>
                  <a href={`#${s.path}`} aria-current={section === s.nav ? "page" : undefined}>
                    {s.nav}
                  </a>
                </li>
              ))}
          </ul>
        </nav>
        <div class="who">
          <span>{who}</span>
          {signOut && (
            <button type="button" onClick={signOut}>
              Sign out
            </button>
          )}
        </div>
      </header>
      <main id="main">
        <h1 tabIndex={-1} ref={heading}>
          {title}
        </h1>
        {Component ? (
          <Component key={loc.path} params={current!.params} query={loc.query} />
        ) : (
          <p>
            No screen at <code>{loc.path}</code>. <a href="#/">Back to the overview</a>.
          </p>
        )}
      </main>
    </>
  );
}
