package messy

import (
	"math"
	"math/rand/v2"
	"sort"
)

// Names tells how names are drawn.
type Names string

const (
	// Common draws from a few hundred surnames and first names common in
	// France, most frequent first, with Zipf-like frequencies, and gives a
	// third of people a rarer surname (one of a few thousand): in 100,000
	// people the first surname is borne by about 2,400 people, the 50th by
	// about 300, the 300th by about 45 and a rare one by about 20, as in a
	// real directory.
	Common Names = "common"
	// Flat draws evenly from 30 surnames and 30 first names, so that every
	// name matches about 3 % of people: the worst case for search.
	Flat Names = "flat"
)

// Surnames common in France, roughly from the most to the least frequent,
// with some of the spellings a directory holds (particles, apostrophes,
// names from elsewhere).
var commonLastNames = []string{
	"Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau", "Laurent",
	"Simon", "Michel", "Lefebvre", "Leroy", "Roux", "David", "Bertrand", "Morel", "Fournier", "Girard",
	"Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent", "Muller", "Lefèvre", "Faure", "André",
	"Mercier", "Blanc", "Guérin", "Boyer", "Garnier", "Chevalier", "François", "Legrand", "Gauthier", "Garcia",
	"Perrin", "Robin", "Clément", "Morin", "Nicolas", "Henry", "Roussel", "Mathieu", "Gautier", "Masson",
	"Marchand", "Duval", "Denis", "Dumont", "Marie", "Lemaire", "Noël", "Meyer", "Dufour", "Meunier",
	"Brun", "Blanchard", "Giraud", "Joly", "Rivière", "Lucas", "Brunet", "Gaillard", "Barbier", "Arnaud",
	"Martinez", "Gérard", "Roche", "Renard", "Schmitt", "Roy", "Leroux", "Colin", "Vidal", "Caron",
	"Picard", "Roger", "Fabre", "Aubert", "Lemoine", "Renaud", "Dumas", "Lacroix", "Olivier", "Philippe",
	"Bourgeois", "Pierre", "Benoît", "Rey", "Leclerc", "Payet", "Rolland", "Leclercq", "Guillaume", "Lecomte",
	"Lopez", "Jean", "Dupuy", "Guillot", "Hubert", "Berger", "Carpentier", "Sanchez", "Dupuis", "Moulin",
	"Louis", "Deschamps", "Nguyen", "Huet", "Vasseur", "Perez", "Boucher", "Fleury", "Royer", "Klein",
	"Jacquet", "Adam", "Paris", "Poirier", "Marty", "Aubry", "Guyot", "Carré", "Charles", "Renault",
	"Charpentier", "Ménard", "Maillard", "Baron", "Bertin", "Bailly", "Hervé", "Schneider", "Fernandez", "Le Gall",
	"Collet", "Léger", "Bouvier", "Julien", "Prévost", "Millet", "Perrot", "Daniel", "Le Roux", "Cousin",
	"Germain", "Breton", "Besson", "Langlois", "Rémy", "Le Goff", "Pelletier", "Lévêque", "Perrier", "Leblanc",
	"Barré", "Lebrun", "Marchal", "Weber", "Mallet", "Hamon", "Boulanger", "Jacob", "Monnier", "Michaud",
	"Rodriguez", "Guichard", "Gillet", "Étienne", "Grondin", "Poulain", "Tessier", "Chevallier", "Collin", "Chauvin",
	"Da Silva", "Bouchet", "Gay", "Lemaître", "Bénard", "Maréchal", "Humbert", "Reynaud", "Antoine", "Hoarau",
	"Perret", "Barthélémy", "Cordier", "Pichon", "Lejeune", "Gilbert", "Lamy", "Delaunay", "Pasquier", "Carlier",
	"Laporte", "Haddad", "Diallo", "Benali", "N'Diaye", "Traoré", "Cohen", "Ferreira", "Pereira", "Dos Santos",
	"Rodrigues", "Gomes", "Lopes", "Martins", "Diop", "Camara", "Coulibaly", "Touré", "Cissé", "Keita",
	"Mansouri", "Bouzid", "Benaïssa", "Hamidi", "Rahmani", "Khelifi", "Meziane", "Tran", "Pham", "Le",
	"Vo", "Huynh", "Chen", "Wang", "Li", "Kaya", "Yılmaz", "Çelik", "Ødegaard", "Müller",
	"de la Tour", "de Vries", "Le Bihan", "Le Floch", "Kerbrat", "Le Corre", "Tanguy", "Riou", "Quéré", "Guillou",
	"Lagarde", "Bousquet", "Delmas", "Castel", "Vignal", "Soulier", "Estève", "Sabatier", "Bonnefoy", "Teyssier",
	"Ollivier", "Devaux", "Maury", "Leconte", "Lemonnier", "Vallée", "Hébert", "Lesage", "Bazin", "Joubert",
	"Delorme", "Pruvost", "Dewitte", "Vandamme", "Lefrançois", "Courtois", "Thibault", "Ferrand", "Rigaud", "Pons",
	"Grand", "Chartier", "Gros", "Sauvage", "Benard", "Baudry", "Hoareau", "Navarro", "Marques", "Jourdan",
	"Buisson", "Valentin", "Texier", "Allard", "Maillet", "Guillon", "Favre", "Bouvet", "Leduc", "Ricard",
}

// First names common in France, roughly from the most to the least
// frequent among adults.
var commonFirstNames = []string{
	"Marie", "Jean", "Nathalie", "Isabelle", "Philippe", "Michel", "Sylvie", "Catherine", "Pierre", "Nicolas",
	"Christophe", "Stéphane", "Sandrine", "Valérie", "Frédéric", "Françoise", "Alain", "Patrick", "Laurent", "Céline",
	"Julien", "David", "Sébastien", "Éric", "Christine", "Thomas", "Olivier", "Véronique", "Jacques", "Anne",
	"Martine", "Nicole", "Sophie", "Christian", "Pascal", "Vincent", "Emmanuel", "Aurélie", "Stéphanie", "Camille",
	"Julie", "Laure", "Émilie", "Caroline", "Hélène", "Élodie", "Mathieu", "Antoine", "Alexandre", "Maxime",
	"Guillaume", "Romain", "Benjamin", "Jérôme", "Thierry", "Hervé", "Didier", "Dominique", "Claude", "Bruno",
	"Yves", "François", "Cécile", "Agnès", "Brigitte", "Chantal", "Corinne", "Delphine", "Florence", "Laurence",
	"Pauline", "Manon", "Léa", "Chloé", "Emma", "Inès", "Sarah", "Clara", "Lucie", "Juliette",
	"Anaïs", "Mélanie", "Marion", "Audrey", "Virginie", "Karine", "Nadia", "Fatima", "Samira", "Karim",
	"Mohamed", "Ahmed", "Mehdi", "Youssef", "Rachid", "Nabil", "Hugo", "Lucas", "Louis", "Gabriel",
	"Raphaël", "Arthur", "Jules", "Paul", "Théo", "Nathan", "Clément", "Quentin", "Loïc", "Baptiste",
	"Florian", "Aurélien", "Benoît", "Noël", "Joël", "Maëlle", "Gaëlle", "Solène", "Océane", "Amélie",
	"Marie-Claire", "Jean-Pierre", "Jean-Luc", "Anne-Sophie", "Marie-Hélène", "Jean-François", "Anne-Marie", "Yann", "Gwenaël", "Erwan",
	"Ludovic", "Cédric", "Fabrice", "Arnaud", "Damien", "Grégory", "Xavier", "Régis", "Serge", "Gilles",
	"Joëlle", "Odile", "Zoé", "Jade", "Louise", "Alice", "Léna", "Awa", "Moussa", "Aïcha",
}

// rareShare is the share, in %, of people with a rare surname.
const rareShare = 35

// Rare surnames are made of a beginning and an ending, as many French
// surnames are: 40 × 40 of them.
var (
	rareStarts = []string{"Ker", "Mont", "Beau", "Roch", "Ferr", "Brou", "Chab", "Lav", "Bel", "Gal",
		"Ros", "Pel", "Vil", "Dar", "Cast", "Mal", "Bour", "Font", "Marg", "Trév", "Quén", "Lesc", "Pouj", "Sauv", "Gren",
		"Hauss", "Jaff", "Labr", "Mich", "Noir", "Orv", "Pign", "Ramb", "Ség", "Thib", "Vauq", "Bréh", "Cout", "Duf", "Esc"}
	rareEnds = []string{"ec", "ard", "ier", "ot", "oux", "in", "el", "ault", "ès", "eau", "ac", "and", "et", "on", "eix",
		"illon", "erie", "as", "ic", "ois", "ane", "enc", "ey", "ourt", "aud", "y", "ant", "elle", "ieux", "ade",
		"ouët", "az", "ry", "iot", "ens", "ardt", "uc", "ignon", "oz", "ay"}
)

// rareLastName draws one of the rare surnames.
func rareLastName(r *rand.Rand) string {
	return rareStarts[r.IntN(len(rareStarts))] + rareEnds[r.IntN(len(rareEnds))]
}

// zipf draws indexes below n with probability proportional to
// 1/(rank+q)^s: a few very frequent values and a long tail.
type zipf struct{ cum []float64 }

func newZipf(n int, s, q float64) zipf {
	z := zipf{cum: make([]float64, n)}
	sum := 0.0
	for k := range n {
		sum += 1 / math.Pow(float64(k+1)+q, s)
		z.cum[k] = sum
	}
	for k := range z.cum {
		z.cum[k] /= sum
	}
	return z
}

func (z zipf) draw(r *rand.Rand) int {
	return min(sort.SearchFloat64s(z.cum, r.Float64()), len(z.cum)-1)
}

var (
	lastNameFreq  = newZipf(len(commonLastNames), 1.2, 10)
	firstNameFreq = newZipf(len(commonFirstNames), 1.0, 5)
)
