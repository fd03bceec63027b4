package plan

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
	"strings"

	"github.com/ogforum/ogforum/internal/store"
)

// The licence of exported plans: the French State's open licence.
const (
	Licence    = "Licence Ouverte / Open Licence 2.0"
	LicenceURL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
)

// ExportColumns are the columns of a plan's export: those of the OGP
// commitment dataset and commitment pages where a field matches, then
// ogforum's own (progress, milestones), then the licence. The import
// reads an export back.
var ExportColumns = []string{
	"Commitment Unique Identifier", "Commitment Number", "Action Plan", "Theme", "Commitment Title", "Commitment Title (English)",
	"Full Text", "Full Text (English)", "Lead Institution", "Supporting Institution(s)",
	"OGP Value Access To Information", "OGP Value Civic Participation", "OGP Value Public Accountability", "OGP Value Technology",
	"Verifiable", "Relevance to OGP values", "Ambition", "Potential Impact", "Completion", "Did It Open Government (Overall)",
	"Starred", "IRM Report", "URL",
	"Status", "Milestones", "Milestones Done", "Milestones Total", "Progress (%)", "Late", "Last Update", "Licence",
}

// irmLabels are the IRM's own words for the values, as the OGP writes them.
var irmLabels = map[string]string{
	"yes": "Yes", "no": "No", "low": "Low", "high": "High",
	"none": "None", "minor": "Minor", "moderate": "Moderate", "transformative": "Transformative",
	"not_started": "Not Started", "limited": "Limited", "substantial": "Substantial", "complete": "Complete",
	"worsened": "Worsened", "did_not_change": "Did Not Change", "marginal": "Marginal", "major": "Major", "outstanding": "Outstanding",
}

func yesNo(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}

// exportRows loads a plan (in PlanView's fixed number of queries) and
// lays out its commitments in ExportColumns. Nothing personal is in it:
// organisations, not people.
func exportRows(ctx context.Context, q store.Querier, planID, baseURL string) (*View, [][]string, error) {
	v, err := PlanView(ctx, q, planID, Filter{})
	if err != nil {
		return nil, nil, err
	}
	var out [][]string
	for _, c := range v.Commitments {
		axis := ""
		if a := v.Plan.Axis(c.AxisID); a != nil {
			axis = a.Title
		}
		var support []string
		for _, s := range c.Supporters {
			support = append(support, s.Name)
		}
		var milestones []string
		for _, m := range c.Milestones {
			s := m.Title
			switch {
			case m.DueLabel != "":
				s = m.DueLabel + ": " + s
			case !m.DueOn.IsZero():
				s = string(m.DueOn) + ": " + s
			}
			milestones = append(milestones, s)
		}
		url, last := "", ""
		if baseURL != "" {
			url = strings.TrimRight(baseURL, "/") + "/commitments/" + c.ID
		}
		if c.LastUpdateAt != nil {
			last = string(DateOf(c.LastUpdateAt.UTC()))
		}
		r := c.IRM
		out = append(out, []string{
			c.Reference, c.Number, v.Plan.Title, axis, c.Title, c.TitleEN,
			c.Description, c.DescriptionEN, c.LeadOrganisation, strings.Join(support, "; "),
			yesNo(c.HasValue(ValueAccessToInformation)), yesNo(c.HasValue(ValueCivicParticipation)),
			yesNo(c.HasValue(ValuePublicAccountability)), yesNo(c.HasValue(ValueTechnologyInnovation)),
			irmLabels[r.Verifiable], irmLabels[r.Relevant], irmLabels[r.Ambition], irmLabels[r.PotentialImpact], irmLabels[r.Completion],
			irmLabels[r.DidItOpenGovernment], irmLabels[r.Starred], r.Source, url,
			c.Status, strings.Join(milestones, " | "), strconv.Itoa(c.Progress.Done), strconv.Itoa(c.Progress.Milestones),
			strconv.Itoa(c.Progress.Percent), yesNo(c.Progress.Late), last, Licence,
		})
	}
	return v, out, nil
}

// ExportCSV writes a plan's commitments as CSV for open data: commas,
// UTF-8, a header row of ExportColumns, values exactly as stored (not
// guarded against spreadsheet formulas, as the directory's open CSV).
// baseURL, when set, fills the URL column.
func ExportCSV(ctx context.Context, q store.Querier, w io.Writer, planID, baseURL string) error {
	_, rows, err := exportRows(ctx, q, planID, baseURL)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(ExportColumns); err != nil {
		return err
	}
	if err := cw.WriteAll(rows); err != nil {
		return err
	}
	return cw.Error()
}

// row is an export row as a JSON object whose keys keep the columns' order.
type row []string

func (r row) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, col := range ExportColumns {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(col)
		v, _ := json.Marshal(r[i])
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// ExportJSON writes a plan as JSON: its licence, the plan, and its
// commitments as objects keyed by ExportColumns.
func ExportJSON(ctx context.Context, q store.Querier, w io.Writer, planID, baseURL string) error {
	v, rows, err := exportRows(ctx, q, planID, baseURL)
	if err != nil {
		return err
	}
	list := make([]row, len(rows))
	for i, r := range rows {
		list[i] = r
	}
	p := v.Plan
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		Licence     string   `json:"licence"`
		LicenceURL  string   `json:"licence_url"`
		Plan        any      `json:"plan"`
		Columns     []string `json:"columns"`
		Commitments []row    `json:"commitments"`
	}{Licence, LicenceURL, map[string]any{"id": p.ID, "title": p.Title, "title_en": p.TitleEN, "starts_on": p.StartsOn,
		"ends_on": p.EndsOn, "status": p.Status, "axes": p.Axes}, ExportColumns, list})
}
