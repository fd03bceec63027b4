package auth

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"

	"github.com/ogforum/ogforum/internal/i18n"
	"github.com/ogforum/ogforum/internal/jobs"
	"github.com/ogforum/ogforum/internal/mail"
	"github.com/ogforum/ogforum/internal/store"
)

// LinkJobKind is the job that mails a sign-in link.
const LinkJobKind = "auth.sign_in_link"

type linkRequest struct {
	Email string `json:"email"`
	Lang  string `json:"lang"`
	// Next is the local page to return to after sign-in.
	Next string `json:"next,omitempty"`
}

// RequestLink queues the sending of a sign-in link to email. It does the
// same work whether or not the address belongs to a user, so that neither
// the answer nor its timing tells who has an account; the job looks the
// address up later.
func RequestLink(ctx context.Context, q store.Querier, email, lang, next string) error {
	email, ok := NormaliseEmail(email)
	if !ok {
		return FieldErrors{"email": "error.email_invalid"}
	}
	payload, _ := json.Marshal(linkRequest{Email: email, Lang: lang, Next: next})
	_, err := jobs.Enqueue(ctx, q, LinkJobKind, string(payload), jobs.Options{MaxAttempts: 3})
	return err
}

// SignInURL is the address of the page that redeems a sign-in secret.
func SignInURL(baseURL, secret string) string {
	return baseURL + "/sign-in/" + secret
}

// LinkJob returns the handler of LinkJobKind: for a known, enabled user it
// creates a sign-in token and queues the mail in one transaction; for an
// unknown address it does nothing.
func LinkJob(db *store.DB, cat *i18n.Catalog, baseURL string) jobs.Handler {
	return func(ctx context.Context, j jobs.Job) error {
		var req linkRequest
		if err := json.Unmarshal([]byte(j.Payload), &req); err != nil {
			return jobs.Permanent(err)
		}
		return db.Tx(ctx, func(tx *sql.Tx) error {
			u, err := UserByEmail(ctx, tx, req.Email)
			if errors.Is(err, store.ErrNotFound) || (err == nil && u.Disabled) {
				return nil
			}
			if err != nil {
				return err
			}
			lang := u.Language
			if !i18n.Supported(lang) {
				lang = req.Lang
			}
			secret, err := CreateLoginToken(ctx, tx, u.ID)
			if err != nil {
				return err
			}
			link := SignInURL(baseURL, secret)
			if req.Next != "" {
				link += "?next=" + url.QueryEscape(req.Next)
			}
			minutes := int(LinkValidity.Minutes())
			_, err = mail.Queue(ctx, tx, mail.Message{
				To:      fmt.Sprintf("%s <%s>", u.Name, u.Email),
				Subject: cat.T(lang, "mail.signin.subject"),
				Text:    cat.T(lang, "mail.signin.body", "name", u.Name, "link", link, "minutes", minutes),
			})
			return err
		})
	}
}
