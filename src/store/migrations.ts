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
  {
    version: 35,
    name: 'monitor incidents and responses',
    sql: `
      -- The monitor's risk roll-up (src/monitor/risk.ts): one row per incident (chain + target + window).
      CREATE TABLE monitor_incidents (
        key           TEXT        PRIMARY KEY,
        chain_id      BIGINT      NOT NULL,
        target        TEXT        NOT NULL,
        -- chain time (block timestamps, seconds) of the first and the latest finding
        first_seen    BIGINT      NOT NULL,
        last_seen     BIGINT      NOT NULL,
        score         INTEGER     NOT NULL,
        detectors     JSONB       NOT NULL,
        alert_ids     JSONB       NOT NULL,
        -- the lifecycle advisory the first response opened
        advisory_id   TEXT,
        opened_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
        updated_at    TIMESTAMPTZ NOT NULL DEFAULT now()
      );
      CREATE INDEX monitor_incidents_target ON monitor_incidents (chain_id, target, last_seen DESC);
      -- One row per (incident, response): claimed before the transaction is sent, so a restarted
      -- monitor (even after SIGKILL) never sends the same response twice.
      CREATE TABLE monitor_responses (
        incident_key  TEXT        NOT NULL,
        response      TEXT        NOT NULL,
        kind          TEXT        NOT NULL,
        chain_id      BIGINT      NOT NULL,
        status        TEXT        NOT NULL,
        score         INTEGER     NOT NULL,
        tx_hash       TEXT,
        detail        JSONB       NOT NULL,
        seen_at       TIMESTAMPTZ NOT NULL,
        decided_at    TIMESTAMPTZ NOT NULL,
        broadcast_at  TIMESTAMPTZ,
        mined_at      TIMESTAMPTZ,
        PRIMARY KEY (incident_key, response)
      );
      -- Alerts for the server's live stream (any process sharing the database reads them in id order).
      CREATE TABLE monitor_alert_stream (
        id            BIGSERIAL   PRIMARY KEY,
        chain_id      BIGINT      NOT NULL,
        alert         JSONB       NOT NULL,
        raised_at     TIMESTAMPTZ NOT NULL DEFAULT now()
      );
    `,
  },  {
    version: 30,
    name: 'monitor checkpoints, followed blocks, alerts',
    sql: `
      -- The monitor's position per chain (src/monitor/sources): advanced in the same transaction
      -- as the block's alerts, so a monitor killed at any point resumes at the first unfinished block.
      CREATE TABLE monitor_checkpoints (
        chain_id      BIGINT      PRIMARY KEY,
        block_number  BIGINT      NOT NULL,
        block_hash    TEXT        NOT NULL,
        updated_at    TIMESTAMPTZ NOT NULL DEFAULT now()
      );
      -- Recent processed blocks: a reorg is found by parent hash and walked back to the common ancestor.
      CREATE TABLE monitor_blocks (
        chain_id      BIGINT      NOT NULL,
        block_number  BIGINT      NOT NULL,
        block_hash    TEXT        NOT NULL,
        parent_hash   TEXT        NOT NULL,
        PRIMARY KEY (chain_id, block_number)
      );
      -- Alerts with the hash of the block they came from, so a reorg can retract them. The id is
      -- derived from (chain, block hash, tx, detector, ordinal): re-processing a block inserts nothing new.
      CREATE TABLE monitor_alerts (
        id            TEXT        PRIMARY KEY,
        chain_id      BIGINT      NOT NULL,
        detector      TEXT        NOT NULL,
        severity      TEXT        NOT NULL,
        block_number  BIGINT,
        block_hash    TEXT,
        tx_hash       TEXT,
        pending       BOOLEAN     NOT NULL,
        alert         JSONB       NOT NULL,
        raised_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
        retracted_at  TIMESTAMPTZ,
        retracted_reason TEXT
      );
      CREATE INDEX monitor_alerts_block ON monitor_alerts (chain_id, block_number);
    `,
  },
  {
    version: 25,
    name: 'safe transactions and confirmations',
    sql: `
      -- src/authorize: Safe transactions proposed through Bulwark, each bound to one patch and the
      -- validation report hash it was proposed under. safe_tx_hash already commits to chain id, Safe and nonce.
      CREATE TABLE safe_transactions (
        safe_tx_hash     TEXT        PRIMARY KEY,
        chain_id         BIGINT      NOT NULL,
        safe             TEXT        NOT NULL,
        nonce            NUMERIC(78) NOT NULL,
        to_address       TEXT        NOT NULL,
        value            NUMERIC(78) NOT NULL,
        data             TEXT        NOT NULL,
        operation        SMALLINT    NOT NULL CHECK (operation IN (0, 1)),
        safe_tx_gas      NUMERIC(78) NOT NULL,
        base_gas         NUMERIC(78) NOT NULL,
        gas_price        NUMERIC(78) NOT NULL,
        gas_token        TEXT        NOT NULL,
        refund_receiver  TEXT        NOT NULL,
        patch_id         TEXT        NOT NULL,
        report_hash      TEXT        NOT NULL,
        -- what the proposer recorded about the validation (verdict, fork rehearsal), shown to signers
        validation       JSONB       NOT NULL,
        proposer         TEXT        NOT NULL,
        proposed_at      TIMESTAMPTZ NOT NULL DEFAULT now()
      );
      CREATE INDEX safe_transactions_pending ON safe_transactions (chain_id, safe, nonce);
      -- one confirmation per (transaction, owner): a second one from the same owner fails here too
      CREATE TABLE safe_confirmations (
        safe_tx_hash     TEXT        NOT NULL REFERENCES safe_transactions (safe_tx_hash),
        owner            TEXT        NOT NULL,
        signature        TEXT        NOT NULL,
        signature_kind   TEXT        NOT NULL,
        report_hash      TEXT        NOT NULL,
        submitted_by     TEXT        NOT NULL,
        submitted_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (safe_tx_hash, owner)
      );
    `,
  },
  {
    version: 20,
    name: 'releases',
    sql: `
      -- src/release: one release plan per patch (the plan JSON and its hash, the report it binds to)
      -- and its progress. A release can never execute twice: status only moves forward (checked in
      -- code), each step executes once (release_executions primary key) and a transaction hash is
      -- recorded once; the gate's replay protection refuses it on chain as well.
      CREATE TABLE releases (
        patch_id      TEXT        PRIMARY KEY,
        route         TEXT        NOT NULL CHECK (route IN ('standard', 'emergency', 'private')),
        chain_id      BIGINT      NOT NULL,
        plan          JSONB       NOT NULL,
        plan_hash     TEXT        NOT NULL UNIQUE,
        report_hash   TEXT        NOT NULL,
        -- the public validation report the plan was built from (what verify re-checks)
        report        JSONB       NOT NULL,
        status        TEXT        NOT NULL CHECK (status IN ('planned', 'scheduled', 'released', 'verified')),
        tx_hashes     JSONB       NOT NULL DEFAULT '[]',
        created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
        scheduled_at  TIMESTAMPTZ,
        released_at   TIMESTAMPTZ,
        verified_at   TIMESTAMPTZ,
        updated_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
        CHECK (status <> 'released' OR released_at IS NOT NULL),
        CHECK (status <> 'verified' OR (released_at IS NOT NULL AND verified_at IS NOT NULL))
      );
      CREATE TABLE release_executions (
        patch_id      TEXT        NOT NULL REFERENCES releases (patch_id),
        step          INTEGER     NOT NULL CHECK (step >= 0),
        purpose       TEXT        NOT NULL CHECK (purpose IN ('schedule', 'execute', 'release')),
        safe_tx_hash  TEXT        NOT NULL UNIQUE,
        tx_hash       TEXT        NOT NULL UNIQUE,
        block_number  BIGINT      NOT NULL,
        executed_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (patch_id, step)
      );
    `,
  },
]
