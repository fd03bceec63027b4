-- Invitations sent by mail: who an invitation was made for in the
-- directory, in which language it is written, and when its mail was queued.
ALTER TABLE forum_invitations ADD COLUMN person_id TEXT REFERENCES people(id) ON DELETE SET NULL;
ALTER TABLE forum_invitations ADD COLUMN language TEXT NOT NULL DEFAULT 'fr';
ALTER TABLE forum_invitations ADD COLUMN mailed_at TIMESTAMP;
CREATE INDEX forum_invitations_person ON forum_invitations (forum_id, person_id);
