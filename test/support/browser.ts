// Headless Chromium for the console's browser tests: Debian's /usr/bin/chromium driven by
// playwright-core (no browser download), a fresh profile per launch, axe-core accessibility checks,
// and a check that a screenshot shows a rendered page rather than a blank one.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";

// Code inside page.evaluate runs in the browser; the tests are type-checked without the DOM library.
declare const document: any, Image: any;

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A browser with its own fresh profile directory (removed on close); pages open at `viewport`. */
export async function launchBrowser(viewport = { width: 1280, height: 800 }): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), "edgelog-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport,
    timezoneId: "UTC",
    locale: "en-US",
    acceptDownloads: true,
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * axe-core's WCAG 2.x A/AA rules on the page as it is. The script goes in through the DevTools
 * protocol (page.evaluate), which the page's Content-Security-Policy does not govern.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const axe = (
      globalThis as unknown as { axe: { run(ctx: unknown, o: unknown): Promise<{ violations: AxeViolation[] }> } }
    ).axe;
    const r = await axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target })),
    }));
  });
}

/**
 * How much of a PNG screenshot is drawn: distinct colours among sampled pixels and the share that
 * differs from the most common (background) colour. Decoded by the browser, in a blank page.
 */
export async function inkOf(context: BrowserContext, png: Buffer): Promise<{ colours: number; ink: number }> {
  const scratch = await context.newPage();
  try {
    return await scratch.evaluate(async (b64) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const canvas = document.createElement("canvas");
      canvas.width = img.width;
      canvas.height = img.height;
      const g = canvas.getContext("2d")!;
      g.drawImage(img, 0, 0);
      const { data } = g.getImageData(0, 0, img.width, img.height);
      const counts = new Map<number, number>();
      let samples = 0;
      for (let i = 0; i < data.length; i += 4 * 7) {
        const c = (data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!;
        counts.set(c, (counts.get(c) ?? 0) + 1);
        samples++;
      }
      const background = Math.max(...counts.values());
      return { colours: counts.size, ink: 1 - background / samples };
    }, png.toString("base64"));
  } finally {
    await scratch.close();
  }
}
