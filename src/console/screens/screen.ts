// What a screen is: a route pattern, a title, where it sits in the navigation, and the API routes it
// needs. A new screen (connectors, schemas, transactions) is one module exporting a Screen plus one
// line in screens/index.ts; it shows only on servers whose OpenAPI document has its routes.

import type { ComponentType } from "preact";

export interface ScreenProps {
  params: Record<string, string>;
  query: URLSearchParams;
}

export interface Screen {
  /** Fragment path pattern, e.g. "/topics/:topic". */
  path: string;
  title: string | ((params: Record<string, string>) => string);
  /** In the navigation bar under this label (screens reached from others leave it out). */
  nav?: string;
  /** The navigation entry this screen belongs to, for highlighting (defaults to its own nav). */
  section?: string;
  /** OpenAPI paths the screen calls; it is hidden when the server lacks any of them. */
  requires: string[];
  component: ComponentType<ScreenProps>;
}

export function available(screen: Screen, routes: Set<string>): boolean {
  return screen.requires.every((r) => routes.has(r));
}
