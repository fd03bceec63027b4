-- Forums: series that schedule them, forums with their rules, personal
-- invitations, registrations with the waiting list and check-in, themes
-- proposed and voted for, and the agenda.
-- Portable SQL: the same text runs on SQLite and PostgreSQL. Timestamps are
-- written by the application, always in UTC.

-- A series proposes its next dates: the week_of_month-th (1..4, or -1 for
-- the last) ISO weekday (1 Monday .. 7 Sunday) of every every_months-th
-- month counted from first_month ('YYYY-MM'), from start_time to end_time
-- ('HH:MM') in timezone.
CREATE TABLE forum_series (
    id              TEXT PRIMARY KEY,
    title           TEXT NOT NULL,
    organiser_team  TEXT NOT NULL DEFAULT '',
    description     TEXT NOT NULL DEFAULT '',
    weekday         INTEGER NOT NULL,
    week_of_month   INTEGER NOT NULL,
    every_months    INTEGER NOT NULL,
    first_month     TEXT NOT NULL,
    start_time      TEXT NOT NULL,
    end_time        TEXT NOT NULL,
    timezone        TEXT NOT NULL,
    venue           TEXT NOT NULL DEFAULT '',
    address         TEXT NOT NULL DEFAULT '',
    access_info     TEXT NOT NULL DEFAULT '',
    capacity        INTEGER NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);

-- A forum. Registrations lock its row (SELECT ... FOR UPDATE on
-- PostgreSQL) while they count seats and insert, so that seats are never
-- overbooked whatever the number of processes.
CREATE TABLE forums (
    id                     TEXT PRIMARY KEY,
    series_id              TEXT REFERENCES forum_series(id) ON DELETE SET NULL,
    title                  TEXT NOT NULL,
    description            TEXT NOT NULL DEFAULT '',
    starts_at              TIMESTAMP NOT NULL,
    ends_at                TIMESTAMP NOT NULL,
    timezone               TEXT NOT NULL,
    venue                  TEXT NOT NULL DEFAULT '',
    address                TEXT NOT NULL DEFAULT '',
    access_info            TEXT NOT NULL DEFAULT '',
    video_url              TEXT NOT NULL DEFAULT '',
    capacity               INTEGER NOT NULL,
    registration_opens_at  TIMESTAMP,
    registration_deadline  TIMESTAMP,
    status                 TEXT NOT NULL CHECK (status IN ('draft', 'open', 'closed', 'held', 'reported', 'cancelled')),
    civil_society_share    INTEGER NOT NULL DEFAULT 0,
    max_per_organisation   INTEGER NOT NULL DEFAULT 0,
    invitation_only        BOOLEAN NOT NULL DEFAULT FALSE,
    agenda_published_at    TIMESTAMP,
    sequence               INTEGER NOT NULL DEFAULT 0,
    created_at             TIMESTAMP NOT NULL,
    updated_at             TIMESTAMP NOT NULL,
    cancelled_at           TIMESTAMP
);
CREATE INDEX forums_starts ON forums (starts_at);
CREATE INDEX forums_series ON forums (series_id, starts_at);

-- The commitments of the plan a forum focuses on. No foreign key to the
-- commitments table: it is created by the plan's migration, written at the
-- same time as this one; the forum package checks nothing about the ids
-- and a later migration may add the constraint.
CREATE TABLE forum_commitments (
    forum_id       TEXT NOT NULL REFERENCES forums(id) ON DELETE CASCADE,
    commitment_id  TEXT NOT NULL,
    PRIMARY KEY (forum_id, commitment_id)
);
CREATE INDEX forum_commitments_commitment ON forum_commitments (commitment_id);

CREATE TABLE forum_registrations (
    id                  TEXT PRIMARY KEY,
    forum_id            TEXT NOT NULL REFERENCES forums(id) ON DELETE CASCADE,
    first_name          TEXT NOT NULL DEFAULT '',
    last_name           TEXT NOT NULL DEFAULT '',
    email               TEXT NOT NULL DEFAULT '',
    language            TEXT NOT NULL DEFAULT 'fr',
    organisation        TEXT NOT NULL DEFAULT '',
    organisation_key    TEXT NOT NULL DEFAULT '',
    college             TEXT NOT NULL,
    function            TEXT NOT NULL DEFAULT '',
    accessibility       TEXT NOT NULL DEFAULT '',
    dietary             TEXT NOT NULL DEFAULT '',
    consent_privacy_at  TIMESTAMP,
    public_listing      BOOLEAN NOT NULL DEFAULT FALSE,
    status              TEXT NOT NULL CHECK (status IN ('confirmed', 'waitlisted', 'cancelled')),
    waitlist_position   INTEGER,
    walk_in             BOOLEAN NOT NULL DEFAULT FALSE,
    manage_token_hash   TEXT NOT NULL DEFAULT '',
    checkin_token       TEXT NOT NULL DEFAULT '',
    checked_in_at       TIMESTAMP,
    cancelled_by        TEXT NOT NULL DEFAULT '',
    sort_key            TEXT NOT NULL DEFAULT '',
    search_text         TEXT NOT NULL DEFAULT '',
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL,
    confirmed_at        TIMESTAMP,
    cancelled_at        TIMESTAMP,
    anonymised_at       TIMESTAMP
);
-- One active registration per address and forum.
CREATE UNIQUE INDEX forum_registrations_active_email ON forum_registrations (forum_id, email)
    WHERE status IN ('confirmed', 'waitlisted') AND email <> '';
CREATE UNIQUE INDEX forum_registrations_checkin ON forum_registrations (forum_id, checkin_token)
    WHERE checkin_token <> '';
CREATE INDEX forum_registrations_status ON forum_registrations (forum_id, status, college);
CREATE INDEX forum_registrations_waitlist ON forum_registrations (forum_id, waitlist_position);
CREATE INDEX forum_registrations_organisation ON forum_registrations (forum_id, organisation_key);
CREATE INDEX forum_registrations_email ON forum_registrations (email);

-- Personal invitations to an invitation-only forum: only the hash of the
-- token is kept; registration_id is the registration that used it.
CREATE TABLE forum_invitations (
    id               TEXT PRIMARY KEY,
    forum_id         TEXT NOT NULL REFERENCES forums(id) ON DELETE CASCADE,
    email            TEXT NOT NULL DEFAULT '',
    token_hash       TEXT NOT NULL UNIQUE,
    registration_id  TEXT REFERENCES forum_registrations(id) ON DELETE SET NULL,
    created_at       TIMESTAMP NOT NULL
);
CREATE INDEX forum_invitations_forum ON forum_invitations (forum_id);

CREATE TABLE forum_themes (
    id                        TEXT PRIMARY KEY,
    forum_id                  TEXT NOT NULL REFERENCES forums(id) ON DELETE CASCADE,
    title                     TEXT NOT NULL,
    description               TEXT NOT NULL DEFAULT '',
    proposed_by_user          TEXT REFERENCES users(id) ON DELETE SET NULL,
    proposed_by_registration  TEXT REFERENCES forum_registrations(id) ON DELETE SET NULL,
    selected                  BOOLEAN NOT NULL DEFAULT FALSE,
    created_at                TIMESTAMP NOT NULL
);
CREATE INDEX forum_themes_forum ON forum_themes (forum_id, created_at);

-- One vote per person and theme: voter_key is the voter's address (or
-- 'registration:<id>' for a registrant without one, 'erased:<id>' once
-- anonymised).
CREATE TABLE forum_theme_votes (
    id               TEXT PRIMARY KEY,
    theme_id         TEXT NOT NULL REFERENCES forum_themes(id) ON DELETE CASCADE,
    voter_key        TEXT NOT NULL,
    user_id          TEXT REFERENCES users(id) ON DELETE SET NULL,
    registration_id  TEXT REFERENCES forum_registrations(id) ON DELETE SET NULL,
    created_at       TIMESTAMP NOT NULL,
    UNIQUE (theme_id, voter_key)
);
CREATE INDEX forum_theme_votes_voter ON forum_theme_votes (voter_key);

CREATE TABLE forum_agenda_items (
    id                         TEXT PRIMARY KEY,
    forum_id                   TEXT NOT NULL REFERENCES forums(id) ON DELETE CASCADE,
    position                   INTEGER NOT NULL,
    title                      TEXT NOT NULL,
    description                TEXT NOT NULL DEFAULT '',
    duration_minutes           INTEGER NOT NULL DEFAULT 0,
    presenter_organisation_id  TEXT REFERENCES organisations(id) ON DELETE SET NULL,
    presenter                  TEXT NOT NULL DEFAULT '',
    theme_id                   TEXT REFERENCES forum_themes(id) ON DELETE SET NULL,
    created_at                 TIMESTAMP NOT NULL,
    updated_at                 TIMESTAMP NOT NULL
);
CREATE INDEX forum_agenda_items_forum ON forum_agenda_items (forum_id, position);
