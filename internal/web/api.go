package web

import (
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"net/http"
)

// apiErrorBody is the one shape of every API error.
type apiErrorBody struct {
	Error apiErrorDetail `json:"error"`
}

type apiErrorDetail struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// apiTx runs write in a transaction and answers what it returns as JSON
// with status; its error goes to fail, the domain's error answer.
func apiTx[T any](s *Server, w http.ResponseWriter, r *http.Request, status int, fail func(http.ResponseWriter, *http.Request, error), write func(tx *sql.Tx) (T, error)) {
	var out T
	err := s.db.Tx(r.Context(), func(tx *sql.Tx) (err error) {
		out, err = write(tx)
		return err
	})
	if err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, status, out)
}

// writeJSON answers v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	enc.Encode(v)
}

// apiError answers the standard error body; messageKey and the field
// errors (translation keys) are translated into the caller's language.
func (s *Server) apiError(w http.ResponseWriter, r *http.Request, status int, code, messageKey string, fields map[string]string) {
	lang := state(r).Lang
	body := apiErrorBody{Error: apiErrorDetail{Code: code, Message: s.i18n.T(lang, messageKey)}}
	if len(fields) > 0 {
		body.Error.Fields = map[string]string{}
		for k, v := range fields {
			body.Error.Fields[k] = s.i18n.T(lang, v)
		}
	}
	writeJSON(w, status, body)
}

// validationFailed answers 422 with the field errors.
func (s *Server) validationFailed(w http.ResponseWriter, r *http.Request, fields map[string]string) {
	s.apiError(w, r, http.StatusUnprocessableEntity, "invalid", "error.invalid", fields)
}

// decodeJSON reads a JSON body into v, answering 400 (or 413) itself when
// it cannot; it reports whether decoding succeeded.
func (s *Server) decodeJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(r.Body)
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.apiError(w, r, http.StatusRequestEntityTooLarge, "too_large", "error.too_large", nil)
			return false
		}
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field != "" {
			s.apiError(w, r, http.StatusBadRequest, "bad_json", "error.bad_json", map[string]string{typeErr.Field: "error.wrong_type"})
			return false
		}
		if errors.Is(err, io.EOF) {
			s.apiError(w, r, http.StatusBadRequest, "bad_json", "error.empty_body", nil)
			return false
		}
		s.apiError(w, r, http.StatusBadRequest, "bad_json", "error.bad_json", nil)
		return false
	}
	return true
}
