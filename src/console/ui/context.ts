// What every screen reads: the API client of the signed-in token and the routes the server has.

import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { Api } from "../api.js";

export interface ConsoleContext {
  api: Api;
  /** OpenAPI paths of the server (e.g. "/v1/mirrors"). */
  routes: Set<string>;
}

export const Console = createContext<ConsoleContext | null>(null);

export function useConsole(): ConsoleContext {
  const c = useContext(Console);
  if (!c) throw new Error("useConsole outside <Console.Provider>");
  return c;
}
