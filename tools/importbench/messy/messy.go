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

// Rows calls fn with the header, then n contact rows. The row slice is
// reused between calls.
func Rows(n int, fn func(row []string) error) error {
	if err := fn(Header); err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(1, 2))
	row := make([]string, len(Header))
	for i := range n {
		last := lastNames[r.IntN(len(lastNames))]
		first := firstNames[r.IntN(len(firstNames))]
		row[0], row[1] = last, first
		if r.IntN(10) == 0 {
			row[0] = strings.ToUpper(last)
		}
		local := strings.NewReplacer(" ", "", "'", "", "é", "e", "è", "e", "ë", "e", "ï", "i", "î", "i", "ç", "c", "ö", "o",
			"ü", "u", "ø", "o", "É", "E", "â", "a", "ô", "o", "û", "u").Replace(strings.ToLower(first + "." + last))
		row[2] = fmt.Sprintf("%s.%d@%s", local, i, domains[r.IntN(len(domains))])
		if r.IntN(7) == 0 {
			row[2] = strings.ToUpper(row[2][:1]) + row[2][1:]
		}
		// About 2,000 organisations, in varying case and accents.
		org := fmt.Sprintf("%s %s", orgStems[r.IntN(len(orgStems))], cities[r.IntN(len(cities))])
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
		row[3] = org
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

// Encoding of a CSV file.
type Encoding string

const (
	UTF8BOM     Encoding = "utf8bom"
	Windows1252 Encoding = "cp1252"
)

// WriteCSV writes the file as French Excel saves it: semicolons, CRLF,
// UTF-8 with a byte-order mark or Windows-1252.
func WriteCSV(w io.Writer, n int, enc Encoding) error {
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
	if err := Rows(n, cw.Write); err != nil {
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

// WriteXLSX writes the file as a workbook.
func WriteXLSX(w io.Writer, n int) error {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return err
	}
	line := 0
	cells := make([]any, len(Header))
	err = Rows(n, func(row []string) error {
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
