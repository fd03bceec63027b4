package plan

import (
	"slices"

	"github.com/ogforum/ogforum/internal/valid"
)

// The four values of the Open Government Partnership a commitment may be
// relevant to.
const (
	ValueAccessToInformation  = "access_to_information"
	ValueCivicParticipation   = "civic_participation"
	ValuePublicAccountability = "public_accountability"
	ValueTechnologyInnovation = "technology_innovation"
)

// OGPValues lists the OGP values in the OGP's order.
var OGPValues = []string{ValueAccessToInformation, ValueCivicParticipation, ValuePublicAccountability, ValueTechnologyInnovation}

// IRM is the assessment of a commitment by the OGP's Independent
// Reporting Mechanism. Each field holds one of its listed values, or ""
// while the IRM has not rated it (or its review is pending).
type IRM struct {
	// Verifiable, Relevant, Starred: "yes" or "no".
	Verifiable string `json:"verifiable"`
	Relevant   string `json:"relevant"`
	// Ambition is how newer IRM reports (2018 on) rate design: "low",
	// "high"; older reports rate PotentialImpact instead.
	Ambition        string `json:"ambition"`
	PotentialImpact string `json:"potential_impact"`
	Completion      string `json:"completion"`
	// DidItOpenGovernment is the "early results" of newer reports.
	DidItOpenGovernment string `json:"did_it_open_government"`
	Starred             string `json:"starred"`
	// Source is the IRM report the ratings come from (a title or an address).
	Source string `json:"source"`
}

// IRMFields lists, per IRM field, the values it takes (besides ""). The
// translation key of a value is "plan.irm.<field>.<value>".
var IRMFields = map[string][]string{
	"verifiable":             {"yes", "no"},
	"relevant":               {"yes", "no"},
	"ambition":               {"low", "high"},
	"potential_impact":       {"none", "minor", "moderate", "transformative"},
	"completion":             {"not_started", "limited", "substantial", "complete"},
	"did_it_open_government": {"worsened", "did_not_change", "marginal", "major", "outstanding"},
	"starred":                {"yes", "no"},
}

// IRMFieldNames lists the rated IRM fields in display order.
var IRMFieldNames = []string{"verifiable", "relevant", "ambition", "potential_impact", "completion", "did_it_open_government", "starred"}

func (r *IRM) fields() map[string]*string {
	return map[string]*string{
		"verifiable": &r.Verifiable, "relevant": &r.Relevant, "ambition": &r.Ambition, "potential_impact": &r.PotentialImpact,
		"completion": &r.Completion, "did_it_open_government": &r.DidItOpenGovernment, "starred": &r.Starred,
	}
}

// check normalises the ratings and records bad ones at "irm.<field>".
func (r *IRM) check(fe valid.Errors) {
	for name, v := range r.fields() {
		*v = line(*v)
		if *v != "" && !slices.Contains(IRMFields[name], *v) {
			fe["irm."+name] = "error.plan_irm_value_invalid"
		}
	}
	r.Source = line(r.Source)
	checkText(fe, "irm.source", r.Source, false, 500)
}

// Empty tells whether the IRM has rated nothing.
func (r IRM) Empty() bool { return r == IRM{} }
