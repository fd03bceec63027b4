-- The community directory: organisations in full, sectors, people, their
-- consent, the suppression list, audiences and join requests.

ALTER TABLE organisations ADD COLUMN college_explicit BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE organisations ADD COLUMN website TEXT NOT NULL DEFAULT '';
ALTER TABLE organisations ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE organisations ADD COLUMN city TEXT NOT NULL DEFAULT '';
-- name folded to lower case without accents, to match and search by name.
ALTER TABLE organisations ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
UPDATE organisations SET name_key = LOWER(name);
CREATE INDEX organisations_name_key ON organisations (name_key);

CREATE TABLE sectors (
    slug      TEXT PRIMARY KEY,
    label_fr  TEXT NOT NULL,
    label_en  TEXT NOT NULL,
    position  INTEGER NOT NULL DEFAULT 0
);
INSERT INTO sectors (slug, label_fr, label_en, position) VALUES ('digital', 'Numérique', 'Digital', 1);
INSERT INTO sectors (slug, label_fr, label_en, position) VALUES ('open-data', 'Données ouvertes', 'Open data', 2);
INSERT INTO sectors (slug, label_fr, label_en, position) VALUES ('transparency', 'Transparence', 'Transparency', 3);
INSERT INTO sectors (slug, label_fr, label_en, position) VALUES ('participation', 'Participation citoyenne', 'Civic participation', 4);
INSERT INTO sectors (slug, label_fr, label_en, position) VALUES ('social', 'Action sociale', 'Social action', 5);
INSERT INTO sectors (slug, label_fr, label_en, position) VALUES ('housing', 'Logement', 'Housing', 6);
INSERT INTO sectors (slug, label_fr, label_en, position) VALUES ('health', 'Santé', 'Health', 7);
INSERT INTO sectors (slug, label_fr, label_en, position) VALUES ('environment', 'Environnement', 'Environment', 8);
INSERT INTO sectors (slug, label_fr, label_en, position) VALUES ('education', 'Éducation', 'Education', 9);
INSERT INTO sectors (slug, label_fr, label_en, position) VALUES ('justice', 'Justice', 'Justice', 10);
INSERT INTO sectors (slug, label_fr, label_en, position) VALUES ('culture', 'Culture', 'Culture', 11);
INSERT INTO sectors (slug, label_fr, label_en, position) VALUES ('economy', 'Économie', 'Economy', 12);
INSERT INTO sectors (slug, label_fr, label_en, position) VALUES ('international', 'International', 'International', 13);
INSERT INTO sectors (slug, label_fr, label_en, position) VALUES ('research', 'Recherche', 'Research', 14);

CREATE TABLE organisation_sectors (
    organisation_id  TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    sector_slug      TEXT NOT NULL REFERENCES sectors(slug) ON DELETE CASCADE,
    PRIMARY KEY (organisation_id, sector_slug)
);
CREATE INDEX organisation_sectors_sector ON organisation_sectors (sector_slug);

-- People of the community (not necessarily users who sign in). The e-mail
-- is stored normalised; search_text is the folded "first last email".
CREATE TABLE people (
    id                   TEXT PRIMARY KEY,
    first_name           TEXT NOT NULL DEFAULT '',
    last_name            TEXT NOT NULL DEFAULT '',
    email                TEXT NOT NULL UNIQUE,
    organisation_id      TEXT REFERENCES organisations(id) ON DELETE SET NULL,
    function             TEXT NOT NULL DEFAULT '',
    phone                TEXT NOT NULL DEFAULT '',
    language             TEXT NOT NULL DEFAULT 'fr',
    consent_info         BOOLEAN NOT NULL DEFAULT FALSE,
    consent_invitations  BOOLEAN NOT NULL DEFAULT FALSE,
    opted_out            BOOLEAN NOT NULL DEFAULT FALSE,
    source               TEXT NOT NULL DEFAULT '',
    search_text          TEXT NOT NULL DEFAULT '',
    sort_key             TEXT NOT NULL DEFAULT '',
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL
);
CREATE INDEX people_organisation ON people (organisation_id);
CREATE INDEX people_sort ON people (sort_key, id);

-- The words of each person's name and e-mail, folded, for indexed search
-- by word prefix: head (the first three characters) is looked up by
-- equality, which needs no collation, then term by LIKE 'prefix%'.
CREATE TABLE person_terms (
    person_id  TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    term       TEXT NOT NULL,
    head       TEXT NOT NULL,
    PRIMARY KEY (person_id, term)
);
CREATE INDEX person_terms_head ON person_terms (head, term, person_id);

CREATE TABLE organisation_terms (
    organisation_id  TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    term             TEXT NOT NULL,
    head             TEXT NOT NULL,
    PRIMARY KEY (organisation_id, term)
);
CREATE INDEX organisation_terms_head ON organisation_terms (head, term, organisation_id);

CREATE TABLE person_sectors (
    person_id    TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    sector_slug  TEXT NOT NULL REFERENCES sectors(slug) ON DELETE CASCADE,
    PRIMARY KEY (person_id, sector_slug)
);
CREATE INDEX person_sectors_sector ON person_sectors (sector_slug);

-- Every consent given or withdrawn, with its purpose, date and method.
CREATE TABLE consents (
    id         TEXT PRIMARY KEY,
    person_id  TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL,
    granted    BOOLEAN NOT NULL,
    method     TEXT NOT NULL,
    at         TIMESTAMP NOT NULL
);
CREATE INDEX consents_person ON consents (person_id, at);

-- Addresses never to mail again, kept as a SHA-256 of the normalised
-- address so that the list survives erasure without keeping the address.
CREATE TABLE suppressions (
    email_hash  TEXT PRIMARY KEY,
    reason      TEXT NOT NULL,
    at          TIMESTAMP NOT NULL
);

CREATE TABLE audiences (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    filter      TEXT NOT NULL,
    created_by  TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);

-- "Join the community" requests waiting for the e-mail confirmation.
CREATE TABLE join_requests (
    id            TEXT PRIMARY KEY,
    token_hash    TEXT NOT NULL UNIQUE,
    email         TEXT NOT NULL,
    payload       TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    expires_at    TIMESTAMP NOT NULL,
    confirmed_at  TIMESTAMP
);
