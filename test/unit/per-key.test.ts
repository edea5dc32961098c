import { describe, expect, it } from "vitest";
import { PerKeyQueue } from "../../src/util/per-key.js";

/** A promise the test settles by hand. */
function gate() {
  let open!: () => void;
  let fail!: (e: Error) => void;
  const done = new Promise<void>((r, j) => ((open = r), (fail = j)));
  return { done, open, fail };
}

describe("PerKeyQueue", () => {
  it("runs one key's work one at a time, other keys beside it, and forgets a key once idle", async () => {
    const q = new PerKeyQueue();
    const log: string[] = [];
    const first = gate();
    const a1 = q.run("a", async () => {
      log.push("a1 start");
      await first.done;
      log.push("a1 end");
      return 1;
    });
    const a2 = q.run("a", async () => void log.push("a2"));
    const b = q.run("b", async () => void log.push("b"));
    await b;
    expect(log).toEqual(["a1 start", "b"]);
    first.open();
    expect(await a1).toBe(1);
    await a2;
    expect(log).toEqual(["a1 start", "b", "a1 end", "a2"]);
    await Promise.resolve();
    expect(q.size).toBe(0);
  });

  it("a failed run rejects its own caller only; the next one for its key still runs", async () => {
    const q = new PerKeyQueue();
    const first = gate();
    const failed = q.run("a", () => first.done);
    const next = q.run("a", async () => "ran");
    first.fail(new Error("boom"));
    await expect(failed).rejects.toThrow("boom");
    expect(await next).toBe("ran");
  });
});
