// The dependency check `npm test` runs (test/unit/dependencies.test.ts): no import circle between
// the files of src/, and every import between its folders follows an arrow CONTRIBUTING.md draws.
// Type-only imports count: a circle of types is still two modules that cannot be understood apart.

import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, posix, relative } from "node:path";
import ts from "typescript";
import { ARROWS, KNOWN_CIRCLES, WORKERS_RUNTIME } from "./arrows.js";

export { ARROWS, KNOWN_CIRCLES, WORKERS_RUNTIME };

/** Files by repository-relative path (`src/log/partition-log.ts`) to their text. */
export type Sources = Map<string, string>;

export interface Finding {
  /** Circles not in KNOWN_CIRCLES, each as one path round it. */
  cycles: string[][];
  forbidden: string[];
  /** KNOWN_CIRCLES entries whose circle is gone: the list must not outlive them. */
  stale: string[];
}

export interface Circle {
  /** The files of one strongly connected component, sorted. */
  files: string[];
  /** One path round it, from its first file back to it. */
  path: string[];
}

/** Every .ts and .tsx file under `dir` (relative to `root`), read, declaration files aside. */
export function readSources(root: string, dir = "src"): Sources {
  const out: Sources = new Map();
  const walk = (d: string) => {
    for (const e of readdirSync(join(root, d), { withFileTypes: true })) {
      const p = posix.join(d, e.name);
      if (e.isDirectory()) walk(p);
      // Declaration files (src/types/) type packages; they are no module of src/.
      else if (/\.tsx?$/.test(p) && !p.endsWith(".d.ts")) out.set(p, readFileSync(join(root, p), "utf8"));
    }
  };
  walk(dir);
  return out;
}

/** Each file's imports (static, type-only, re-exports, dynamic): relative ones resolved to files, others as written. */
export function importGraph(sources: Sources): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const [path, text] of sources) {
    const targets = ts.preProcessFile(text, true, true).importedFiles.map(({ fileName }) => {
      if (!fileName.startsWith(".")) return fileName;
      // `./x.js` names x.ts, or x.tsx where that is the file there is.
      const file = posix.normalize(posix.join(dirname(path), fileName)).replace(/\.js$/, ".ts");
      return sources.has(file) || !sources.has(`${file}x`) ? file : `${file}x`;
    });
    graph.set(path, [...new Set(targets)]);
  }
  return graph;
}

/** The part of src/ a file belongs to: its folder, or its name for a file at the top. */
export function partOf(path: string): string {
  const [first, ...rest] = relative("src", path).split(/[\\/]/);
  return rest.length === 0 ? first!.replace(/\.tsx?$/, "") : first!;
}

/** Import circles between files: each strongly connected component, with one path round it. */
export function findCycles(graph: Map<string, string[]>): Circle[] {
  // Tarjan's strongly connected components; each with more than one file (or a self-import) holds a circle.
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || graph.get(v)!.includes(v)) components.push(component);
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return components.map((c) => ({ files: c.sort(), path: circleThrough(graph, new Set(c)) }));
}

/** One circle inside a strongly connected component, from its first file back to it. */
function circleThrough(graph: Map<string, string[]>, component: Set<string>): string[] {
  const start = [...component].sort()[0]!;
  const path = [start];
  const seen = new Set([start]);
  for (let at = start; ; ) {
    const targets = (graph.get(at) ?? []).filter((t) => component.has(t));
    if (targets.includes(start)) return [...path, start];
    at = targets.find((t) => !seen.has(t)) ?? targets[0]!;
    path.push(at);
    seen.add(at);
  }
}

/** Imports between parts that no arrow allows, and Workers-runtime imports outside the parts that may. */
export function forbiddenArrows(graph: Map<string, string[]>, arrows = ARROWS): string[] {
  const out: string[] = [];
  for (const [from, targets] of graph) {
    const part = partOf(from);
    const allowed = arrows[part];
    if (!allowed) {
      out.push(`${from}: src/${part} has no entry in ARROWS (scripts/deps.ts); add it there and to CONTRIBUTING.md`);
      continue;
    }
    for (const to of targets) {
      if (to.startsWith("cloudflare:")) {
        if (!WORKERS_RUNTIME.includes(part)) out.push(`${from} → ${to}: src/${part} must not use the Workers runtime`);
        continue;
      }
      if (!to.startsWith("src/")) continue; // a package
      const target = partOf(to);
      if (target !== part && !allowed.includes(target)) out.push(`${from} → ${to}: ${part} may not import ${target}`);
    }
  }
  return out;
}

export function checkDependencies(sources: Sources, known = KNOWN_CIRCLES): Finding {
  const graph = importGraph(sources);
  const circles = findCycles(graph);
  const key = (files: readonly string[]) => [...files].sort().join(" ");
  const found = new Set(circles.map((c) => key(c.files)));
  const listed = new Set(known.map((k) => key(k.files)));
  return {
    cycles: circles.filter((c) => !listed.has(key(c.files))).map((c) => c.path),
    forbidden: forbiddenArrows(graph),
    stale: known.filter((k) => !found.has(key(k.files))).map((k) => k.files.join(" ")),
  };
}
