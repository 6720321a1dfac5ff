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
  {
    version: 10,
    name: 'api tokens',
    sql: `
      -- HTTP API tokens: only the sha256 of the token is kept; the token itself is shown once.
      CREATE TABLE api_tokens (
        id            BIGSERIAL PRIMARY KEY,
        label         TEXT        NOT NULL,
        roles         TEXT[]      NOT NULL,
        token_hash    TEXT        NOT NULL UNIQUE,
        created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
        last_used_at  TIMESTAMPTZ,
        revoked_at    TIMESTAMPTZ
      );
      -- the label is the actor id the audit log records: one active token per label
      CREATE UNIQUE INDEX api_tokens_active_label ON api_tokens (label) WHERE revoked_at IS NULL;
    `,
  },
  {
    version: 2,
    name: 'advisories, patches, approvals, transitions',
    sql: `
      -- The lifecycle (src/lifecycle): each change lands with its audit entry in one transaction.
      CREATE SEQUENCE advisory_numbers;
      CREATE TABLE advisories (
        id                  TEXT        PRIMARY KEY,
        title               TEXT        NOT NULL,
        description         TEXT        NOT NULL,
        severity            TEXT        NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
        status              TEXT        NOT NULL,
        containment         TEXT        NOT NULL DEFAULT 'none',
        affected_contracts  JSONB       NOT NULL,
        reporter            TEXT        NOT NULL,
        discovered_at       TIMESTAMPTZ NOT NULL,
        reported_at         TIMESTAMPTZ NOT NULL,
        embargoed           BOOLEAN     NOT NULL,
        cleared_actors      JSONB       NOT NULL,
        alert_ids           JSONB       NOT NULL,
        updated_at          TIMESTAMPTZ NOT NULL
      );
      CREATE INDEX advisories_status ON advisories (status);

      CREATE SEQUENCE patch_numbers;
      CREATE TABLE patches (
        id                  TEXT        PRIMARY KEY,
        advisory_id         TEXT        NOT NULL REFERENCES advisories (id),
        title               TEXT        NOT NULL,
        status              TEXT        NOT NULL,
        route               TEXT        NOT NULL,
        targets             JSONB       NOT NULL,
        required_approvals  INTEGER     NOT NULL CHECK (required_approvals >= 1),
        created_at          TIMESTAMPTZ NOT NULL,
        updated_at          TIMESTAMPTZ NOT NULL
      );
      -- at most one open patch per advisory: a second concurrent proposal fails here
      CREATE UNIQUE INDEX patches_one_open_per_advisory ON patches (advisory_id)
        WHERE status NOT IN ('rejected', 'withdrawn', 'verified');

      CREATE TABLE patch_approvals (
        patch_id   TEXT        NOT NULL REFERENCES patches (id),
        signer     TEXT        NOT NULL,
        at         TIMESTAMPTZ NOT NULL,
        digest     TEXT,
        signature  TEXT,
        note       TEXT,
        audit_seq  BIGINT      NOT NULL,
        PRIMARY KEY (patch_id, signer)
      );

      CREATE TABLE lifecycle_transitions (
        id           BIGSERIAL   PRIMARY KEY,
        machine      TEXT        NOT NULL,
        subject_id   TEXT        NOT NULL,
        advisory_id  TEXT        NOT NULL REFERENCES advisories (id),
        from_status  TEXT,
        to_status    TEXT        NOT NULL,
        at           TIMESTAMPTZ NOT NULL,
        actor        JSONB       NOT NULL,
        evidence     JSONB       NOT NULL,
        audit_seq    BIGINT      NOT NULL
      );
      CREATE INDEX lifecycle_transitions_advisory ON lifecycle_transitions (advisory_id, id);
    `,
  },
  {
    version: 3,
    name: 'audit log',
    sql: `
      -- Append-only, hash-chained, signed (src/lifecycle/appendAuditEntry.ts). Values are kept
      -- as the exact text that was hashed, so verification recomputes byte for byte.
      CREATE TABLE audit_log (
        seq        BIGINT PRIMARY KEY,
        prev_hash  TEXT   NOT NULL,
        hash       TEXT   NOT NULL,
        time       TEXT   NOT NULL,
        actor      TEXT   NOT NULL,
        action     TEXT   NOT NULL,
        payload    TEXT   NOT NULL,
        key_id     TEXT   NOT NULL,
        signature  TEXT   NOT NULL
      );
    `,
  },
  {
    version: 15,
    name: 'intel feed scans',
    sql: `
      -- One row per intel scan: the feed's content hash decides whether a re-scan is due.
      CREATE TABLE intel_feed_scans (
        id              BIGSERIAL PRIMARY KEY,
        feed_hash       TEXT        NOT NULL,
        locations       TEXT[]      NOT NULL,
        advisory_count  INTEGER     NOT NULL,
        rejected        JSONB       NOT NULL,
        match_count     INTEGER     NOT NULL,
        scanned_at      TIMESTAMPTZ NOT NULL DEFAULT now()
      );
      CREATE INDEX intel_feed_scans_latest ON intel_feed_scans (id DESC);
    `,
  },
  {
    version: 16,
    name: 'intel matches',
    sql: `
      -- One row per (advisory, chain, implementation): a match is recorded once and re-reported as known.
      CREATE TABLE intel_matches (
        advisory_id            TEXT        NOT NULL,
        chain                  TEXT        NOT NULL,
        implementation         TEXT        NOT NULL,
        proxy                  TEXT,
        severity               TEXT        NOT NULL,
        evidence               JSONB       NOT NULL,
        -- the lifecycle advisory opened for this match, once one is
        lifecycle_advisory_id  TEXT,
        first_seen_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
        last_seen_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (advisory_id, chain, implementation)
      );
    `,
  },
]
