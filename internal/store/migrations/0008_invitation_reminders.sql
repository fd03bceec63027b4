-- Invitations mailed can be followed by one reminder to those who have not
-- registered; reminded_at is when it was queued.
ALTER TABLE forum_invitations ADD COLUMN reminded_at TIMESTAMP;
