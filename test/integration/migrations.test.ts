import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { migrate } from "../../src/util/migrations.js";

it("applies every migration once, even one numbered below a version already applied", async () => {
  const stub = env.PARTITION.getByName("migrations-test");
  await runInDurableObject(stub, (_o, state) => {
    const sql = state.storage.sql;
    const one = { version: 101, statements: ["CREATE TABLE m101 (x)"] };
    const three = { version: 103, statements: ["CREATE TABLE m103 (x)"] };
    const two = { version: 102, statements: ["CREATE TABLE m102 (x)"] };
    expect(migrate(sql, [one, three])).toEqual([101, 103]);
    // A branch that landed later brings 102: it still runs, and nothing runs twice.
    expect(migrate(sql, [one, two, three])).toEqual([102]);
    expect(migrate(sql, [one, two, three])).toEqual([]);
    const tables = sql
      .exec<{ name: string }>(`SELECT name FROM sqlite_master WHERE name LIKE 'm10%' ORDER BY name`)
      .toArray();
    expect(tables.map((t) => t.name)).toEqual(["m101", "m102", "m103"]);
  });
});
