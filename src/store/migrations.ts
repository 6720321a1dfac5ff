/**
 * Schema migrations, applied in order and recorded in `bulwark_migrations`. A published
 * migration is never edited: change the schema by appending a new one. The same SQL runs on
 * PGlite and on a PostgreSQL server.
 */
export const migrations: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'inventory snapshots',
    sql: `
      CREATE TABLE inventory_snapshots (
        id            BIGSERIAL PRIMARY KEY,
        chain_id      BIGINT      NOT NULL,
        -- the sorted root addresses the inventory was read from: a diff compares like with like
        scope         TEXT        NOT NULL,
        block_number  BIGINT      NOT NULL,
        taken_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
        inventory     JSONB       NOT NULL
      );
      CREATE INDEX inventory_snapshots_scope ON inventory_snapshots (chain_id, scope, id DESC);
    `,
  },
]
