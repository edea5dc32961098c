// What an offset reset would set, computed from the public API the way the coordinator computes it
// (POST /v1/groups/{g}/offsets/reset): earliest, latest or a time per partition through the offsets
// route, an explicit offset on every partition and refused above the high watermark.

export type ResetTarget = "earliest" | "latest" | { timestamp: number } | { offset: number };

export interface PreviewRow {
  topic: string;
  partition: number;
  committed: number | null;
  next: number;
  /** Set when the reset would be refused for this partition. */
  problem?: string;
}

export async function previewReset(
  topics: { name: string; partitions: number }[],
  to: ResetTarget,
  committed: (topic: string, partition: number) => number | null,
  offsetAt: (topic: string, partition: number, at: "earliest" | "latest" | number) => Promise<number>,
): Promise<PreviewRow[]> {
  const rows: PreviewRow[] = [];
  for (const t of topics) {
    const found = await Promise.all(
      Array.from({ length: t.partitions }, (_, p) =>
        offsetAt(t.name, p, typeof to === "string" ? to : "timestamp" in to ? to.timestamp : "latest"),
      ),
    );
    found.forEach((offset, p) => {
      const row: PreviewRow = { topic: t.name, partition: p, committed: committed(t.name, p), next: offset };
      if (typeof to === "object" && "offset" in to) {
        row.next = to.offset;
        if (to.offset > offset) row.problem = `beyond the high watermark ${offset}`;
      }
      rows.push(row);
    });
  }
  return rows;
}
