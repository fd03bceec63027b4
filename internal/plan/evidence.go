package plan

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"path"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/valid"
)

// MaxDocumentSize caps an uploaded document (handlers cap the request
// body a little above it).
const MaxDocumentSize = 10 << 20

// Evidence backs a milestone or a progress update: a link, or a document
// kept in the database. Its metadata is public; the bytes are read with
// Document.
type Evidence struct {
	ID           string    `json:"id"`
	CommitmentID string    `json:"commitment_id"`
	MilestoneID  string    `json:"milestone_id,omitempty"`
	UpdateID     string    `json:"update_id,omitempty"`
	Title        string    `json:"title"`
	URL          string    `json:"url,omitempty"`
	Filename     string    `json:"filename,omitempty"`
	ContentType  string    `json:"content_type,omitempty"`
	Size         int       `json:"size,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
}

// IsDocument tells whether the evidence is an uploaded document.
func (e *Evidence) IsDocument() bool { return e.Filename != "" }

// EvidenceInput is a link (URL) or a document (Filename and Data). A
// document's type comes from its name's extension, checked against its
// content; what the browser claimed is not trusted.
type EvidenceInput struct {
	Title    string `json:"title"`
	URL      string `json:"url"`
	Filename string `json:"-"`
	Data     []byte `json:"-"`
}

// documentTypes are the documents accepted, by extension, with the start
// their content must have ("" for text, which must hold no NUL byte).
var documentTypes = map[string]struct{ mime, magic string }{
	".pdf":  {"application/pdf", "%PDF-"},
	".png":  {"image/png", "\x89PNG\r\n\x1a\n"},
	".jpg":  {"image/jpeg", "\xFF\xD8\xFF"},
	".jpeg": {"image/jpeg", "\xFF\xD8\xFF"},
	".odt":  {"application/vnd.oasis.opendocument.text", "PK\x03\x04"},
	".ods":  {"application/vnd.oasis.opendocument.spreadsheet", "PK\x03\x04"},
	".odp":  {"application/vnd.oasis.opendocument.presentation", "PK\x03\x04"},
	".docx": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "PK\x03\x04"},
	".xlsx": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "PK\x03\x04"},
	".pptx": {"application/vnd.openxmlformats-officedocument.presentationml.presentation", "PK\x03\x04"},
	".csv":  {"text/csv; charset=utf-8", ""},
	".txt":  {"text/plain; charset=utf-8", ""},
}

// check validates the input and returns the document's content type.
func (in *EvidenceInput) check(fe valid.Errors, prefix string) string {
	in.Title = line(in.Title)
	checkText(fe, prefix+"title", in.Title, false, 300)
	if in.Data == nil && in.Filename == "" {
		if strings.TrimSpace(in.URL) == "" {
			fe[prefix+"url"] = "error.plan_evidence_required"
			return ""
		}
		checkURL(fe, prefix+"url", &in.URL)
		return ""
	}
	if strings.TrimSpace(in.URL) != "" {
		fe[prefix+"url"] = "error.plan_evidence_both"
	}
	name := line(path.Base(strings.ReplaceAll(in.Filename, `\`, "/")))
	if name == "." || name == "/" || name == "" {
		name = "document"
	}
	if utf8.RuneCountInString(name) > 200 {
		fe[prefix+"file"] = "error.too_long"
	}
	in.Filename = name
	switch {
	case len(in.Data) == 0:
		fe[prefix+"file"] = "error.plan_document_empty"
		return ""
	case len(in.Data) > MaxDocumentSize:
		fe[prefix+"file"] = "error.plan_document_too_large"
		return ""
	}
	t, ok := documentTypes[strings.ToLower(path.Ext(name))]
	if !ok || (t.magic != "" && !bytes.HasPrefix(in.Data, []byte(t.magic))) || (t.magic == "" && bytes.IndexByte(in.Data, 0) >= 0) {
		fe[prefix+"file"] = "error.plan_document_type"
		return ""
	}
	if in.Title == "" {
		in.Title = name
	}
	return t.mime
}

// evidenceSnapshot is what the history keeps of evidence.
type evidenceSnapshot struct {
	Title     string `json:"title"`
	URL       string `json:"url,omitempty"`
	Filename  string `json:"filename,omitempty"`
	Size      int    `json:"size,omitempty"`
	Milestone string `json:"milestone_id,omitempty"`
}

func (e *Evidence) snapshot() evidenceSnapshot {
	return evidenceSnapshot{Title: e.Title, URL: e.URL, Filename: e.Filename, Size: e.Size, Milestone: e.MilestoneID}
}

// AddEvidence attaches a link or a document to a milestone.
func AddEvidence(ctx context.Context, tx *sql.Tx, ch Change, milestoneID string, in EvidenceInput) (*Evidence, error) {
	m, err := GetMilestone(ctx, tx, milestoneID)
	if err != nil {
		return nil, err
	}
	if _, err := lockCommitment(ctx, tx, ch, m.CommitmentID); err != nil {
		return nil, err
	}
	fe := valid.Errors{}
	mime := in.check(fe, "")
	if err := fe.Err(); err != nil {
		return nil, err
	}
	e, err := insertEvidence(ctx, tx, ch, m.CommitmentID, milestoneID, "", in, mime)
	if err != nil {
		return nil, err
	}
	if _, err := ch.apply(ctx, tx, event{commitmentID: m.CommitmentID, action: ActionEvidenceAdd, targetType: "evidence", targetID: e.ID,
		after: e.snapshot()}); err != nil {
		return nil, err
	}
	return e, nil
}

func insertEvidence(ctx context.Context, tx *sql.Tx, ch Change, commitmentID, milestoneID, updateID string, in EvidenceInput, mime string) (*Evidence, error) {
	e := &Evidence{ID: store.NewID(), CommitmentID: commitmentID, MilestoneID: milestoneID, UpdateID: updateID, Title: in.Title, URL: in.URL,
		CreatedAt: store.Now()}
	var data any
	if mime != "" {
		e.Filename, e.ContentType, e.Size, data = in.Filename, mime, len(in.Data), in.Data
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO commitment_evidence (id, commitment_id, milestone_id, update_id, title, url, filename,
		content_type, size, data, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		e.ID, commitmentID, nullable(milestoneID), nullable(updateID), e.Title, e.URL, e.Filename, e.ContentType, e.Size, data,
		ch.UserID, e.CreatedAt)
	return e, store.Map(err)
}

// DeleteEvidence removes a link or a document; the history keeps its
// title and name.
func DeleteEvidence(ctx context.Context, tx *sql.Tx, ch Change, id string) error {
	list, err := loadEvidence(ctx, tx, `id = $1`, id)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		return store.ErrNotFound
	}
	e := list[0]
	if _, err := lockCommitment(ctx, tx, ch, e.CommitmentID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM commitment_evidence WHERE id = $1`, id); err != nil {
		return err
	}
	_, err = ch.apply(ctx, tx, event{commitmentID: e.CommitmentID, action: ActionEvidenceDelete, targetType: "evidence", targetID: id,
		before: e.snapshot()})
	return err
}

// Document returns an uploaded document with its bytes, to download
// (handlers send it as an attachment, with nosniff). A link is
// store.ErrNotFound.
func Document(ctx context.Context, q store.Querier, id string) (*Evidence, []byte, error) {
	list, err := loadEvidence(ctx, q, `id = $1`, id)
	if err != nil {
		return nil, nil, err
	}
	if len(list) == 0 || !list[0].IsDocument() {
		return nil, nil, store.ErrNotFound
	}
	var data []byte
	if err := q.QueryRowContext(ctx, `SELECT data FROM commitment_evidence WHERE id = $1`, id).Scan(&data); err != nil {
		return nil, nil, store.Map(err)
	}
	return list[0], data, nil
}

// loadEvidence reads the metadata of the evidence matching cond.
func loadEvidence(ctx context.Context, q store.Querier, cond string, args ...any) ([]*Evidence, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, commitment_id, COALESCE(milestone_id, ''), COALESCE(update_id, ''), title, url, filename,
		content_type, size, created_at FROM commitment_evidence WHERE `+cond+` ORDER BY created_at, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("load evidence: %w", err)
	}
	defer rows.Close()
	out := []*Evidence{}
	for rows.Next() {
		e := &Evidence{}
		if err := rows.Scan(&e.ID, &e.CommitmentID, &e.MilestoneID, &e.UpdateID, &e.Title, &e.URL, &e.Filename, &e.ContentType,
			&e.Size, &e.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
