// Package messy writes a large, realistic contacts spreadsheet as French
// offices keep them — semicolons, accents, cells over several lines,
// organisations spelt in several ways, sectors as labels or slugs — to
// measure and test the directory import. The output is deterministic.
package messy

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
)

// Header is the first row of every file.
var Header = []string{"Nom", "Prénom", "Courriel", "Structure", "Fonction", "Secteurs", "Téléphone", "Langue", "Consentement"}

var (
	lastNames = []string{"Dubois", "Martin", "Bernard", "Lefèvre", "Durand", "Moreau", "Girard", "Rousseau", "Bonnet",
		"Fournier", "Lambert", "Fontaine", "Chevalier", "Gauthier", "Mercier", "Blanc", "Guérin", "Boyer", "Garnier",
		"Faure", "André", "Le Gall", "de la Tour", "N'Diaye", "Nguyen", "Benali", "Müller", "Ødegaard", "Çelik", "Lemaître"}
	firstNames = []string{"Hélène", "Jean", "Zoé", "Élodie", "François", "Anaïs", "Jérôme", "Maëlle", "Noël", "Chloé",
		"Loïc", "Inès", "Clément", "Agnès", "Raphaël", "Cécile", "Théo", "Léa", "Benoît", "Marie-Claire", "Jean-Pierre",
		"Aurélien", "Gaëlle", "Sébastien", "Françoise", "Océane", "Joël", "Amélie", "Hervé", "Solène"}
	orgStems = []string{"Regards Citoyens", "Association pour le logement", "Collectif Santé", "Fondation Abbé Pierre",
		"Les Amis de la Terre", "Réseau Éducation", "Syndicat des Locataires", "Observatoire Citoyen", "Maison des Associations",
		"Comité Régional", "Union Départementale", "Fédération Française", "Centre Social", "Coopérative Numérique",
		"Atelier Participatif", "Mairie", "Préfecture", "Agence Régionale de Santé", "Université", "Laboratoire"}
	cities = []string{"Paris", "Lyon", "Marseille", "Lille", "Rennes", "Nantes", "Bordeaux", "Toulouse", "Strasbourg",
		"Montpellier", "Nice", "Grenoble", "Dijon", "Besançon", "Orléans", "Rouen", "Caen", "Brest", "Metz", "Nîmes"}
	functions = []string{"Président", "Présidente", "Chargée de mission", "Chargé de\nmission", "Directeur; adjoint",
		"Délégué général", "Bénévole", "Coordinatrice « plaidoyer »", "Trésorier", "Secrétaire générale", "", ""}
	sectors = []string{"Logement", "santé", "Action sociale", "Données ouvertes", "transparency", "Numérique",
		"ENVIRONNEMENT", "Éducation", "justice", "Culture", "Économie", "participation", "Recherche", "International"}
	domains = []string{"example.org", "exemple.fr", "asso.example", "mairie.example", "gouv.example"}
)

// Options choose how the file is drawn; the zero value draws common names.
type Options struct {
	Names Names // Common (default) or Flat
}

// Rows calls fn with the header, then n contact rows, names drawn as
// common names. The row slice is reused between calls.
func Rows(n int, fn func(row []string) error) error { return Options{}.Rows(n, fn) }

// Rows calls fn with the header, then n contact rows. The row slice is
// reused between calls.
func (o Options) Rows(n int, fn func(row []string) error) error {
	if err := fn(Header); err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(1, 2))
	row := make([]string, len(Header))
	for i := range n {
		if o.Names == Flat {
			// Kept as first written, draw for draw, so that figures
			// measured on it stay comparable.
			last := lastNames[r.IntN(len(lastNames))]
			first := firstNames[r.IntN(len(firstNames))]
			row[0], row[1] = last, first
			if r.IntN(10) == 0 {
				row[0] = strings.ToUpper(last)
			}
			row[2] = fmt.Sprintf("%s.%d@%s", mailLocal(first, last), i, domains[r.IntN(len(domains))])
			if r.IntN(7) == 0 {
				row[2] = strings.ToUpper(row[2][:1]) + row[2][1:]
			}
			row[3] = organisation(r)
		} else {
			last := commonLastNames[lastNameFreq.draw(r)]
			if r.IntN(100) < rareShare {
				last = rareLastName(r)
			}
			first := commonFirstNames[firstNameFreq.draw(r)]
			row[0], row[1] = last, first
			if r.IntN(10) == 0 {
				row[0] = strings.ToUpper(last)
			}
			// People write from their organisation's domain, from a
			// mailbox provider, or from a few shared domains.
			stem, city, org := organisationParts(r)
			domain := domains[r.IntN(len(domains))]
			switch k := r.IntN(20); {
			case k < 9 && org != "":
				domain = slug(stem) + "-" + slug(city) + ".example"
			case k < 16:
				domain = providers[providerFreq.draw(r)]
			}
			row[2] = fmt.Sprintf("%s.%d@%s", mailLocal(first, last), i, domain)
			if r.IntN(7) == 0 {
				row[2] = strings.ToUpper(row[2][:1]) + row[2][1:]
			}
			row[3] = org
		}
		row[4] = functions[r.IntN(len(functions))]
		var sec []string
		for range r.IntN(4) {
			sec = append(sec, sectors[r.IntN(len(sectors))])
		}
		row[5] = strings.Join(sec, []string{"; ", ", ", "\n"}[r.IntN(3)])
		switch r.IntN(4) {
		case 0:
			row[6] = ""
		case 1:
			row[6] = fmt.Sprintf("+33 6 %02d %02d %02d %02d", r.IntN(100), r.IntN(100), r.IntN(100), r.IntN(100))
		default:
			row[6] = fmt.Sprintf("01 %02d %02d %02d %02d", r.IntN(100), r.IntN(100), r.IntN(100), r.IntN(100))
		}
		row[7] = []string{"", "", "fr", "Français", "en", "anglais"}[r.IntN(6)]
		row[8] = []string{"", "oui", "Oui", "x", "non"}[r.IntN(5)]
		if err := fn(row); err != nil {
			return err
		}
	}
	return nil
}

var (
	// Mailbox providers, the most used first.
	providers    = []string{"orange.example", "gmail.example", "free.example", "laposte.example", "wanadoo.example", "sfr.example", "yahoo.example", "proton.example"}
	providerFreq = newZipf(len(providers), 1, 1)
	unaccent     = strings.NewReplacer(" ", "", "'", "", "é", "e", "è", "e", "ë", "e", "ê", "e", "ï", "i", "î", "i", "ı", "i", "ç", "c", "ö", "o",
		"ü", "u", "ø", "o", "É", "E", "â", "a", "à", "a", "ô", "o", "û", "u")
)

// mailLocal is the local part of an address made from a name.
func mailLocal(first, last string) string {
	return unaccent.Replace(strings.ToLower(first + "." + last))
}

// slug is a domain label made from a name.
func slug(s string) string {
	return unaccent.Replace(strings.ToLower(strings.ReplaceAll(s, " ", "-")))
}

// organisation draws an organisation name: about 2,000 organisations, in
// varying case and accents, or none.
func organisation(r *rand.Rand) string {
	_, _, org := organisationParts(r)
	return org
}

func organisationParts(r *rand.Rand) (stem, city, org string) {
	stem, city = orgStems[r.IntN(len(orgStems))], cities[r.IntN(len(cities))]
	org = stem + " " + city
	if k := r.IntN(5); k > 0 {
		org += fmt.Sprintf(" %d", k)
	}
	switch r.IntN(12) {
	case 0:
		org = strings.ToUpper(org)
	case 1:
		org = strings.NewReplacer("é", "e", "É", "E", "è", "e").Replace(org)
	case 2, 3:
		org = ""
	}
	return stem, city, org
}

// Encoding of a CSV file.
type Encoding string

const (
	UTF8BOM     Encoding = "utf8bom"
	Windows1252 Encoding = "cp1252"
)

// WriteCSV writes the file of n common-name rows as French Excel saves it:
// semicolons, CRLF, UTF-8 with a byte-order mark or Windows-1252.
func WriteCSV(w io.Writer, n int, enc Encoding) error { return Options{}.WriteCSV(w, n, enc) }

// WriteCSV writes the file of n rows as French Excel saves it: semicolons,
// CRLF, UTF-8 with a byte-order mark or Windows-1252.
func (o Options) WriteCSV(w io.Writer, n int, enc Encoding) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	var out io.Writer = bw
	switch enc {
	case UTF8BOM:
		bw.WriteString("\uFEFF")
	case Windows1252:
		out = charmap.Windows1252.NewEncoder().Writer(bw)
	default:
		return fmt.Errorf("unknown encoding %q", enc)
	}
	cw := csv.NewWriter(out)
	cw.Comma, cw.UseCRLF = ';', true
	if err := o.Rows(n, cw.Write); err != nil {
		return err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	if c, ok := out.(io.Closer); ok {
		if err := c.Close(); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// WriteXLSX writes the file of n common-name rows as a workbook.
func WriteXLSX(w io.Writer, n int) error { return Options{}.WriteXLSX(w, n) }

// WriteXLSX writes the file of n rows as a workbook.
func (o Options) WriteXLSX(w io.Writer, n int) error {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return err
	}
	line := 0
	cells := make([]any, len(Header))
	err = o.Rows(n, func(row []string) error {
		line++
		for i, v := range row {
			cells[i] = v
		}
		ref, _ := excelize.CoordinatesToCellName(1, line)
		return sw.SetRow(ref, cells)
	})
	if err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.Write(w)
}
