// The transactional-id directory: which ids hold state, so they can be listed (ListTransactions).
// The table is created by the controller's migrations (version 6); each id's state lives in its
// transaction coordinator.

export class TransactionDirectory {
  constructor(private readonly sql: SqlStorage) {}

  add(transactionalId: string, now: number): void {
    this.sql.exec(
      `INSERT OR IGNORE INTO transactional_ids (transactional_id, created_at) VALUES (?, ?)`,
      transactionalId,
      now,
    );
  }

  remove(transactionalId: string): void {
    this.sql.exec(`DELETE FROM transactional_ids WHERE transactional_id = ?`, transactionalId);
  }

  list(): string[] {
    return this.sql
      .exec<{ transactional_id: string }>(`SELECT transactional_id FROM transactional_ids ORDER BY transactional_id`)
      .toArray()
      .map((r) => r.transactional_id);
  }
}
