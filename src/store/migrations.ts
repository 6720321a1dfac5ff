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
  {
    version: 40,
    name: 'verifiable lifecycle: validation runs, approval signers, release verifications, overrides',
    sql: `
      -- A patch becomes validated only from a stored validation run: the report and its hash, each in
      -- its own column (src/lifecycle/recordValidationRun.ts).
      CREATE TABLE validation_runs (
        id            BIGSERIAL   PRIMARY KEY,
        patch_id      TEXT        NOT NULL REFERENCES patches (id),
        report_hash   TEXT        NOT NULL CHECK (report_hash ~ '^0x[0-9a-f]{64}$'),
        verdict       TEXT        NOT NULL CHECK (verdict IN ('pass', 'fail', 'errored')),
        chain_id      BIGINT      NOT NULL,
        report        JSONB       NOT NULL,
        actor         TEXT        NOT NULL,
        audit_seq     BIGINT      NOT NULL,
        created_at    TIMESTAMPTZ NOT NULL
      );
      CREATE INDEX validation_runs_patch ON validation_runs (patch_id, id DESC);
      -- The validated report every approval, plan and verification binds to, and the chain it is for.
      ALTER TABLE patches ADD COLUMN report_hash TEXT CHECK (report_hash IS NULL OR report_hash ~ '^0x[0-9a-f]{64}$');
      ALTER TABLE patches ADD COLUMN validation_run_id BIGINT REFERENCES validation_runs (id);
      ALTER TABLE patches ADD COLUMN chain_id BIGINT;
      -- Addresses whose EIP-712 PatchApproval signatures count (registered by an admin, audited).
      CREATE TABLE approval_signers (
        address        TEXT        PRIMARY KEY CHECK (address ~ '^0x[0-9a-fA-F]{40}$'),
        label          TEXT        NOT NULL,
        registered_by  TEXT        NOT NULL,
        registered_at  TIMESTAMPTZ NOT NULL,
        revoked_at     TIMESTAMPTZ,
        audit_seq      BIGINT      NOT NULL
      );
      -- How an approval was verified: an EIP-712 PatchApproval, a Safe owner's confirmation, or an admin override.
      ALTER TABLE patch_approvals ADD COLUMN kind TEXT NOT NULL DEFAULT 'unverified' CHECK (kind IN ('eip712', 'safe-confirmation', 'override', 'unverified'));
      ALTER TABLE patch_approvals ADD COLUMN report_hash TEXT;
      -- A patch becomes verified only from a passing stored verifyRelease result.
      CREATE TABLE release_verifications (
        id            BIGSERIAL   PRIMARY KEY,
        patch_id      TEXT        NOT NULL REFERENCES patches (id),
        report_hash   TEXT        NOT NULL,
        ok            BOOLEAN     NOT NULL,
        result        JSONB       NOT NULL,
        actor         TEXT        NOT NULL,
        audit_seq     BIGINT      NOT NULL,
        verified_at   TIMESTAMPTZ NOT NULL
      );
      CREATE INDEX release_verifications_patch ON release_verifications (patch_id, id DESC);
      -- A move an admin forced past the evidence the machine asks for, with the reason given.
      ALTER TABLE lifecycle_transitions ADD COLUMN override_reason TEXT;
    `,
  },
  {
    version: 45,
    name: 'audit log: keys registered in the log, state rows bound to entries, seq > 0',
    sql: `
      -- Sequence numbers start at 1. NOT VALID: a log that already holds such rows still opens, and
      -- audit verify reports them (src/lifecycle/verifyAuditLog.ts).
      ALTER TABLE audit_log ADD CONSTRAINT audit_log_seq_positive CHECK (seq > 0) NOT VALID;
      -- The first entry a key signs carries that key (SPKI PEM): the log registers its own keys, so
      -- several hosts and rotated keys verify. Hashed with the entry when present.
      ALTER TABLE audit_log ADD COLUMN public_key TEXT;
      CREATE INDEX audit_log_keys ON audit_log (key_id) WHERE public_key IS NOT NULL;
      -- The state rows the entry's transaction changed, each with its content hash (src/lifecycle/auditedState.ts).
      ALTER TABLE audit_log ADD COLUMN state TEXT;
      -- Rows changed by open transactions, waiting for that transaction's audit entry. txid 0: rows
      -- that existed before this migration, bound by the next entry.
      CREATE TABLE audit_pending_rows (
        txid        BIGINT NOT NULL,
        table_name  TEXT   NOT NULL,
        row_key     TEXT   NOT NULL,
        PRIMARY KEY (txid, table_name, row_key)
      );
      CREATE FUNCTION bulwark_audit_pending_row() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        IF TG_OP <> 'INSERT' THEN
          INSERT INTO audit_pending_rows VALUES (txid_current(), TG_TABLE_NAME, to_jsonb(OLD) ->> TG_ARGV[0]) ON CONFLICT DO NOTHING;
        END IF;
        IF TG_OP <> 'DELETE' THEN
          INSERT INTO audit_pending_rows VALUES (txid_current(), TG_TABLE_NAME, to_jsonb(NEW) ->> TG_ARGV[0]) ON CONFLICT DO NOTHING;
        END IF;
        RETURN NULL;
      END
      $fn$;
      CREATE TRIGGER api_tokens_audited AFTER INSERT OR DELETE OR UPDATE OF id, label, roles, token_hash, created_at, revoked_at
        ON api_tokens FOR EACH ROW EXECUTE FUNCTION bulwark_audit_pending_row('id');
      CREATE TRIGGER advisories_audited AFTER INSERT OR UPDATE OR DELETE ON advisories FOR EACH ROW EXECUTE FUNCTION bulwark_audit_pending_row('id');
      CREATE TRIGGER patches_audited AFTER INSERT OR UPDATE OR DELETE ON patches FOR EACH ROW EXECUTE FUNCTION bulwark_audit_pending_row('id');
      INSERT INTO audit_pending_rows SELECT 0, 'api_tokens', id::text FROM api_tokens;
      INSERT INTO audit_pending_rows SELECT 0, 'advisories', id FROM advisories;
      INSERT INTO audit_pending_rows SELECT 0, 'patches', id FROM patches;
    `,
  },
  {
    version: 70,
    name: 'jobs (records, stage markers, events, workers) and monitor leases',
    sql: `
      -- One row per job (the queue itself is pg-boss's tables); what the CLI, API and /events read.
      CREATE TABLE bulwark_jobs (
        id           TEXT        PRIMARY KEY,
        kind         TEXT        NOT NULL,
        input        JSONB       NOT NULL,
        state        TEXT        NOT NULL,
        attempts     INTEGER     NOT NULL DEFAULT 0,
        worker_id    TEXT,
        progress     JSONB,
        result       JSONB,
        error        JSONB,
        created_by   TEXT        NOT NULL,
        created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
        started_at   TIMESTAMPTZ,
        finished_at  TIMESTAMPTZ
      );
      CREATE INDEX bulwark_jobs_running ON bulwark_jobs (worker_id) WHERE state = 'running';
      -- A stage that finished: a retry returns its stored result instead of running it again.
      CREATE TABLE bulwark_job_stages (
        job_id     TEXT        NOT NULL REFERENCES bulwark_jobs (id) ON DELETE CASCADE,
        stage      TEXT        NOT NULL,
        result     JSONB,
        worker_id  TEXT        NOT NULL,
        done_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (job_id, stage)
      );
      CREATE TABLE bulwark_job_events (
        id          BIGSERIAL   PRIMARY KEY,
        job_id      TEXT        NOT NULL REFERENCES bulwark_jobs (id) ON DELETE CASCADE,
        type        TEXT        NOT NULL,
        data        JSONB,
        worker_id   TEXT,
        created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
      );
      CREATE INDEX bulwark_job_events_job ON bulwark_job_events (job_id, id);
      CREATE TABLE bulwark_workers (
        id            TEXT        PRIMARY KEY,
        host          TEXT        NOT NULL,
        pid           INTEGER     NOT NULL,
        queues        JSONB       NOT NULL,
        concurrency   INTEGER     NOT NULL,
        started_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
        stopped_at    TIMESTAMPTZ
      );
      -- Who monitors which chain: the holder of the PostgreSQL advisory lock writes itself here.
      CREATE TABLE monitor_leases (
        shard         TEXT        PRIMARY KEY,
        holder        TEXT        NOT NULL,
        acquired_at   TIMESTAMPTZ NOT NULL,
        heartbeat_at  TIMESTAMPTZ NOT NULL
      );
    `,
  },
  {
    version: 75,
    name: 'change notifications for live feeds across processes',
    sql: `
      -- What /events streams is appended to these two tables by any process (API, CLI, monitor).
      -- A NOTIFY after each inserting statement (delivered at commit, so the rows are readable)
      -- wakes every API process's feed at once instead of at its next poll. The payload is only
      -- the table's name: who may see a row is decided by each reader, never by the notification.
      CREATE FUNCTION bulwark_notify_change() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        PERFORM pg_notify('bulwark_changes', TG_TABLE_NAME);
        RETURN NULL;
      END
      $fn$;
      CREATE TRIGGER lifecycle_transitions_notify AFTER INSERT ON lifecycle_transitions
        FOR EACH STATEMENT EXECUTE FUNCTION bulwark_notify_change();
      CREATE TRIGGER monitor_alert_stream_notify AFTER INSERT ON monitor_alert_stream
        FOR EACH STATEMENT EXECUTE FUNCTION bulwark_notify_change();
    `,
  },
  {
    version: 76,
    name: 'token changes notified to every API process',
    sql: `
      -- Each API process caches verified tokens for a moment; a revocation or a change of roles made
      -- through another process (or the CLI) evicts that token from every cache at once.
      CREATE FUNCTION bulwark_notify_token_change() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        PERFORM pg_notify('bulwark_changes', 'api_tokens:' || OLD.id);
        RETURN NULL;
      END
      $fn$;
      CREATE TRIGGER api_tokens_notify AFTER UPDATE OF roles, token_hash, revoked_at OR DELETE ON api_tokens
        FOR EACH ROW EXECUTE FUNCTION bulwark_notify_token_change();
    `,
  },
  {
    version: 77,
    name: 'the keys registered in the audit log, kept apart for the ledger',
    sql: `
      -- Every lifecycle change reads which keys the log has registered (an entry with a public_key
      -- registers its key_id), under the ledger lock. Read from audit_log through the partial index
      -- audit_log_keys, it was planned as a scan of the whole log whenever the table's statistics lagged
      -- behind a burst of writes: 71 ms at 36,000 entries, so the ledger slowed as the log grew. This
      -- table holds one row per registered key and follows the log: a row per registering INSERT, and
      -- rebuilt after any UPDATE, DELETE or TRUNCATE of the log (which Bulwark never makes).
      CREATE TABLE audit_log_registered_keys (key_id TEXT PRIMARY KEY);
      INSERT INTO audit_log_registered_keys SELECT DISTINCT key_id FROM audit_log WHERE public_key IS NOT NULL;
      CREATE FUNCTION bulwark_register_audit_key() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        INSERT INTO audit_log_registered_keys VALUES (NEW.key_id) ON CONFLICT DO NOTHING;
        RETURN NULL;
      END
      $fn$;
      CREATE TRIGGER audit_log_register_key AFTER INSERT ON audit_log
        FOR EACH ROW WHEN (NEW.public_key IS NOT NULL) EXECUTE FUNCTION bulwark_register_audit_key();
      CREATE FUNCTION bulwark_rebuild_audit_keys() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        DELETE FROM audit_log_registered_keys;
        INSERT INTO audit_log_registered_keys SELECT DISTINCT key_id FROM audit_log WHERE public_key IS NOT NULL;
        RETURN NULL;
      END
      $fn$;
      CREATE TRIGGER audit_log_rebuild_keys AFTER UPDATE OR DELETE OR TRUNCATE ON audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION bulwark_rebuild_audit_keys();
    `,
  },
]
