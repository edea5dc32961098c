// The consumer-group directory: which groups exist, so they can be listed. The table is created
// by the controller's migrations (topics.ts, version 2); group state itself lives in each coordinator.

export class GroupDirectory {
  constructor(private readonly sql: SqlStorage) {}

  add(groupId: string, now: number): void {
    this.sql.exec(`INSERT OR IGNORE INTO consumer_groups (group_id, created_at) VALUES (?, ?)`, groupId, now);
  }

  remove(groupId: string): void {
    this.sql.exec(`DELETE FROM consumer_groups WHERE group_id = ?`, groupId);
  }

  list(): string[] {
    return this.sql
      .exec<{ group_id: string }>(`SELECT group_id FROM consumer_groups ORDER BY group_id`)
      .toArray()
      .map((r) => r.group_id);
  }
}
