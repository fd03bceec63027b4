-- The national action plan (issue 4): plans and their axes, commitments
-- with the administrations that carry them, milestones and their evidence,
-- indicators and their measured values, progress updates, the attributed
-- history of every change, followers, and the reminders' alerts.
-- Portable SQL. Calendar days (due dates, measure dates...) are TEXT
-- 'YYYY-MM-DD', '' when unknown: they compare correctly as text on both
-- engines and carry no time zone. Timestamps are written by the
-- application in UTC.

CREATE TABLE plans (
    id           TEXT PRIMARY KEY,
    title        TEXT NOT NULL,
    title_en     TEXT NOT NULL DEFAULT '',
    description  TEXT NOT NULL DEFAULT '',
    starts_on    TEXT NOT NULL,
    ends_on      TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('co_creation', 'implementation', 'closed')),
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);

CREATE TABLE plan_axes (
    id        TEXT PRIMARY KEY,
    plan_id   TEXT NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    title     TEXT NOT NULL,
    title_en  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX plan_axes_plan ON plan_axes (plan_id, position);

-- The four OGP values are four columns (a fixed set, filtered on); the
-- IRM assessment fields hold '' until the IRM has rated the commitment.
-- status is the one the latest progress update declared.
CREATE TABLE commitments (
    id                          TEXT PRIMARY KEY,
    plan_id                     TEXT NOT NULL REFERENCES plans(id),
    axis_id                     TEXT REFERENCES plan_axes(id),
    number                      TEXT NOT NULL DEFAULT '',
    reference                   TEXT,
    title                       TEXT NOT NULL,
    title_en                    TEXT NOT NULL DEFAULT '',
    description                 TEXT NOT NULL DEFAULT '',
    description_en              TEXT NOT NULL DEFAULT '',
    lead_organisation_id        TEXT REFERENCES organisations(id),
    access_to_information       BOOLEAN NOT NULL DEFAULT FALSE,
    civic_participation         BOOLEAN NOT NULL DEFAULT FALSE,
    public_accountability       BOOLEAN NOT NULL DEFAULT FALSE,
    technology_innovation       BOOLEAN NOT NULL DEFAULT FALSE,
    irm_verifiable              TEXT NOT NULL DEFAULT '',
    irm_relevant                TEXT NOT NULL DEFAULT '',
    irm_ambition                TEXT NOT NULL DEFAULT '',
    irm_potential_impact        TEXT NOT NULL DEFAULT '',
    irm_completion              TEXT NOT NULL DEFAULT '',
    irm_did_it_open_government  TEXT NOT NULL DEFAULT '',
    irm_starred                 TEXT NOT NULL DEFAULT '',
    irm_source                  TEXT NOT NULL DEFAULT '',
    status                      TEXT NOT NULL DEFAULT 'not_started'
        CHECK (status IN ('not_started', 'on_track', 'at_risk', 'late', 'done')),
    last_update_at              TIMESTAMP,
    created_at                  TIMESTAMP NOT NULL,
    updated_at                  TIMESTAMP NOT NULL
);
CREATE INDEX commitments_plan ON commitments (plan_id);
CREATE UNIQUE INDEX commitments_reference ON commitments (plan_id, reference);
CREATE INDEX commitments_lead ON commitments (lead_organisation_id);

CREATE TABLE commitment_supporters (
    commitment_id    TEXT NOT NULL REFERENCES commitments(id) ON DELETE CASCADE,
    organisation_id  TEXT NOT NULL REFERENCES organisations(id),
    position         INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (commitment_id, organisation_id)
);
CREATE INDEX commitment_supporters_organisation ON commitment_supporters (organisation_id);

-- A milestone is late when it is not done and its due day has passed:
-- computed, never stored. due_label keeps a period as the plan wrote it
-- ("Fin 2018"), due_on its last day.
CREATE TABLE milestones (
    id             TEXT PRIMARY KEY,
    commitment_id  TEXT NOT NULL REFERENCES commitments(id) ON DELETE CASCADE,
    position       INTEGER NOT NULL,
    title          TEXT NOT NULL,
    due_on         TEXT NOT NULL DEFAULT '',
    due_label      TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL CHECK (status IN ('not_started', 'in_progress', 'done')),
    completed_on   TEXT NOT NULL DEFAULT '',
    weight         INTEGER NOT NULL DEFAULT 1 CHECK (weight >= 1),
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL
);
CREATE INDEX milestones_commitment ON milestones (commitment_id, position);
CREATE INDEX milestones_due ON milestones (status, due_on);

CREATE TABLE indicators (
    id             TEXT PRIMARY KEY,
    commitment_id  TEXT NOT NULL REFERENCES commitments(id) ON DELETE CASCADE,
    position       INTEGER NOT NULL,
    name           TEXT NOT NULL,
    unit           TEXT NOT NULL DEFAULT '',
    baseline       DOUBLE PRECISION,
    baseline_on    TEXT NOT NULL DEFAULT '',
    target         DOUBLE PRECISION,
    target_on      TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL
);
CREATE INDEX indicators_commitment ON indicators (commitment_id, position);

-- unit is the unit the value was given in, when it was not the
-- indicator's (accepted with a warning).
CREATE TABLE indicator_values (
    id            TEXT PRIMARY KEY,
    indicator_id  TEXT NOT NULL REFERENCES indicators(id) ON DELETE CASCADE,
    measured_on   TEXT NOT NULL,
    value         DOUBLE PRECISION NOT NULL,
    unit          TEXT NOT NULL DEFAULT '',
    source        TEXT NOT NULL DEFAULT '',
    comment       TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX indicator_values_indicator ON indicator_values (indicator_id, measured_on);

-- Progress updates posted by agents and organisers. author_label is kept
-- for organisers (and erased with the person); public pages show the
-- author's organisation only.
CREATE TABLE commitment_updates (
    id               TEXT PRIMARY KEY,
    commitment_id    TEXT NOT NULL REFERENCES commitments(id) ON DELETE CASCADE,
    body             TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('not_started', 'on_track', 'at_risk', 'late', 'done')),
    author_id        TEXT NOT NULL DEFAULT '',
    author_label     TEXT NOT NULL DEFAULT '',
    organisation_id  TEXT REFERENCES organisations(id) ON DELETE SET NULL,
    created_at       TIMESTAMP NOT NULL
);
CREATE INDEX commitment_updates_commitment ON commitment_updates (commitment_id, created_at);

-- Evidence of a milestone or of a progress update: a link, or a document
-- whose bytes are kept here (size-capped by the application).
CREATE TABLE commitment_evidence (
    id             TEXT PRIMARY KEY,
    commitment_id  TEXT NOT NULL REFERENCES commitments(id) ON DELETE CASCADE,
    milestone_id   TEXT REFERENCES milestones(id) ON DELETE CASCADE,
    update_id      TEXT REFERENCES commitment_updates(id) ON DELETE CASCADE,
    title          TEXT NOT NULL DEFAULT '',
    url            TEXT NOT NULL DEFAULT '',
    filename       TEXT NOT NULL DEFAULT '',
    content_type   TEXT NOT NULL DEFAULT '',
    size           INTEGER NOT NULL DEFAULT 0,
    data           BYTEA,
    created_by     TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMP NOT NULL
);
CREATE INDEX commitment_evidence_commitment ON commitment_evidence (commitment_id);

-- Every change of a commitment, its milestones, indicators, values,
-- updates and evidence: who, when, what, and the changed fields before
-- and after (JSON objects).
CREATE TABLE commitment_history (
    id                     TEXT PRIMARY KEY,
    commitment_id          TEXT NOT NULL REFERENCES commitments(id) ON DELETE CASCADE,
    at                     TIMESTAMP NOT NULL,
    actor_id               TEXT NOT NULL DEFAULT '',
    actor_label            TEXT NOT NULL DEFAULT '',
    actor_organisation_id  TEXT REFERENCES organisations(id) ON DELETE SET NULL,
    action                 TEXT NOT NULL,
    target_type            TEXT NOT NULL,
    target_id              TEXT NOT NULL,
    fields                 TEXT NOT NULL DEFAULT '',
    before_json            TEXT NOT NULL DEFAULT '',
    after_json             TEXT NOT NULL DEFAULT ''
);
CREATE INDEX commitment_history_commitment ON commitment_history (commitment_id, at);

-- Users (accounts that sign in) who follow a commitment.
CREATE TABLE commitment_followers (
    commitment_id  TEXT NOT NULL REFERENCES commitments(id) ON DELETE CASCADE,
    user_id        TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (commitment_id, user_id)
);
CREATE INDEX commitment_followers_user ON commitment_followers (user_id);

-- Reminders' flags for organisers: a commitment without update for too
-- long ('stale'), a milestone past due ('late'). alert_key makes each
-- reminder happen once; resolved_at closes the flag.
CREATE TABLE plan_alerts (
    id             TEXT PRIMARY KEY,
    alert_key      TEXT NOT NULL UNIQUE,
    kind           TEXT NOT NULL CHECK (kind IN ('stale', 'late')),
    commitment_id  TEXT NOT NULL REFERENCES commitments(id) ON DELETE CASCADE,
    milestone_id   TEXT REFERENCES milestones(id) ON DELETE CASCADE,
    detail         TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMP NOT NULL,
    resolved_at    TIMESTAMP,
    resolved_by    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX plan_alerts_open ON plan_alerts (resolved_at, created_at);
CREATE INDEX plan_alerts_commitment ON plan_alerts (commitment_id);
