-- Action items decided at a forum: what is to be done, by whom (an
-- organisation of the directory, or free text naming one) and by when.
-- Open ones come back on the agenda of the next forum of the series: an
-- agenda item pulled from an action item keeps its id, once per forum.
-- No personal data: owners are organisations, never people.
-- Portable SQL: the same text runs on SQLite and PostgreSQL. due_on is a
-- calendar day written 'YYYY-MM-DD' ('' for none), as in the plan's
-- tables; timestamps are written by the application, in UTC.
CREATE TABLE forum_action_items (
    id                     TEXT PRIMARY KEY,
    forum_id               TEXT NOT NULL REFERENCES forums(id) ON DELETE CASCADE,
    title                  TEXT NOT NULL,
    description            TEXT NOT NULL DEFAULT '',
    owner                  TEXT NOT NULL DEFAULT '',
    owner_organisation_id  TEXT REFERENCES organisations(id) ON DELETE SET NULL,
    due_on                 TEXT NOT NULL DEFAULT '',
    status                 TEXT NOT NULL CHECK (status IN ('open', 'done', 'dropped')),
    closed_at              TIMESTAMP,
    created_at             TIMESTAMP NOT NULL,
    updated_at             TIMESTAMP NOT NULL
);
CREATE INDEX forum_action_items_forum ON forum_action_items (forum_id, created_at);
CREATE INDEX forum_action_items_status ON forum_action_items (status, due_on);

ALTER TABLE forum_agenda_items ADD COLUMN action_item_id TEXT REFERENCES forum_action_items(id) ON DELETE SET NULL;
-- An action item comes once on a forum's agenda.
CREATE UNIQUE INDEX forum_agenda_items_action ON forum_agenda_items (forum_id, action_item_id)
    WHERE action_item_id IS NOT NULL;
