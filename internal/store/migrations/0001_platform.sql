-- The platform: people who sign in, their sessions and tokens, the job
-- queue and mail outbox, the audit log, settings and rate limits.
-- Portable SQL: the same text runs on SQLite and PostgreSQL. Timestamps are
-- written by the application, always in UTC.

-- Organisations of the directory. Issue-level features add columns; the
-- platform needs them so that an agent belongs to an administration.
CREATE TABLE organisations (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL DEFAULT 'association',
    college     TEXT NOT NULL DEFAULT 'civil_society',
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);

CREATE TABLE users (
    id              TEXT PRIMARY KEY,
    email           TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('admin', 'organiser', 'agent', 'member')),
    organisation_id TEXT REFERENCES organisations(id),
    language        TEXT NOT NULL DEFAULT 'fr',
    disabled        BOOLEAN NOT NULL DEFAULT FALSE,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);

CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    secret_hash  TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    seen_at      TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE login_tokens (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  TIMESTAMP NOT NULL,
    expires_at  TIMESTAMP NOT NULL,
    used_at     TIMESTAMP
);

CREATE TABLE api_tokens (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash    TEXT NOT NULL UNIQUE,
    created_at    TIMESTAMP NOT NULL,
    last_used_at  TIMESTAMP
);

-- The durable queue: mail and scheduled work. A worker claims a row by
-- setting locked_by/locked_until; a row whose lease ran out (its worker
-- crashed) is claimed again.
CREATE TABLE jobs (
    id            TEXT PRIMARY KEY,
    kind          TEXT NOT NULL,
    payload       TEXT NOT NULL DEFAULT '',
    unique_key    TEXT UNIQUE,
    status        TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed')),
    run_at        TIMESTAMP NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    max_attempts  INTEGER NOT NULL DEFAULT 8,
    last_error    TEXT NOT NULL DEFAULT '',
    locked_by     TEXT NOT NULL DEFAULT '',
    locked_until  TIMESTAMP,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    done_at       TIMESTAMP
);
CREATE INDEX jobs_ready ON jobs (status, run_at);

CREATE TABLE mails (
    id          TEXT PRIMARY KEY,
    job_id      TEXT NOT NULL REFERENCES jobs(id),
    recipient   TEXT NOT NULL,
    subject     TEXT NOT NULL,
    body_text   TEXT NOT NULL,
    body_html   TEXT NOT NULL DEFAULT '',
    message_id  TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    sent_at     TIMESTAMP
);
CREATE INDEX mails_created ON mails (created_at);

CREATE TABLE mail_attachments (
    id            TEXT PRIMARY KEY,
    mail_id       TEXT NOT NULL REFERENCES mails(id) ON DELETE CASCADE,
    filename      TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    data          BYTEA NOT NULL
);
CREATE INDEX mail_attachments_mail ON mail_attachments (mail_id);

CREATE TABLE audit_log (
    id           TEXT PRIMARY KEY,
    at           TIMESTAMP NOT NULL,
    actor_id     TEXT NOT NULL DEFAULT '',
    actor_label  TEXT NOT NULL DEFAULT '',
    action       TEXT NOT NULL,
    target_type  TEXT NOT NULL DEFAULT '',
    target_id    TEXT NOT NULL DEFAULT '',
    details      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE TABLE settings (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);

CREATE TABLE rate_limits (
    bucket        TEXT NOT NULL,
    window_start  TIMESTAMP NOT NULL,
    hits          INTEGER NOT NULL,
    PRIMARY KEY (bucket, window_start)
);
