package web

import (
	"bytes"
	"net/http"
	"strconv"

	"github.com/ogforum/ogforum/internal/attendance"
	"github.com/ogforum/ogforum/internal/forum"
)

// walkInRows is how many blank rows the sheet keeps for walk-ins.
const walkInRows = 20

// attendanceDownload serves the attendance sheet as PDF, CSV (French
// Excel by default, ?format=open for open data) or XLSX, with the labels
// in the organiser's language.
func (s *Server) attendanceDownload(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f, ok := s.loadForum(w, r)
		if !ok {
			return
		}
		regs, err := forum.Attendance(r.Context(), s.db, f.ID)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		lang := state(r).Lang
		t := func(k string) string { return s.i18n.T(lang, k) }
		sheet := attendance.Sheet{
			Title: f.Title, When: forumWhen(f), Where: forumWhere(f), BlankRows: walkInRows,
			Labels: attendance.Labels{
				Number: t("forumweb.sheet.number"), LastName: t("forumweb.sheet.last_name"), FirstName: t("forumweb.sheet.first_name"),
				Organisation: t("forumweb.sheet.organisation"), College: t("forumweb.sheet.college"), Signature: t("forumweb.sheet.signature"),
				Page: t("forumweb.sheet.page"), Total: s.i18n.T(lang, "forumweb.sheet.total", "count", len(regs)),
			},
		}
		if n, err := strconv.Atoi(r.URL.Query().Get("blank")); err == nil && n >= 0 && n <= 200 {
			sheet.BlankRows = n
		}
		for _, reg := range regs {
			college := ""
			if reg.College != "" {
				college = t("college." + reg.College)
			}
			sheet.Rows = append(sheet.Rows, attendance.Row{LastName: reg.LastName, FirstName: reg.FirstName,
				Organisation: reg.Organisation, College: college, WalkIn: reg.WalkIn})
		}
		sheet.Sort()
		var buf bytes.Buffer
		var ctype, ext string
		switch kind {
		case "pdf":
			ctype, ext, err = "application/pdf", "pdf", attendance.WritePDF(&buf, sheet)
		case "csv":
			excel := r.URL.Query().Get("format") != "open"
			ctype, ext, err = "text/csv; charset=utf-8", "csv", attendance.WriteCSV(&buf, sheet, excel)
		default:
			ctype, ext = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"
			err = attendance.WriteXLSX(&buf, sheet)
		}
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Content-Disposition", `attachment; filename="attendance-`+f.StartsAt.In(f.Location()).Format("2006-01-02")+`.`+ext+`"`)
		w.Header().Set("Cache-Control", "no-store")
		w.Write(buf.Bytes())
	}
}
