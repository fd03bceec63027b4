package directory

import (
	"math/rand/v2"
	"testing"
)

// The fast path for text without accents folds exactly as the general one,
// for every ASCII character, control characters and spaces included.
func TestFoldASCIIIsFold(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	cases := []string{"", " ", "  Jean  DUPONT ", "\tA\r\nB\v\fC", "Regards-Citoyens.ORG", "x@Example.org"}
	for range 20000 {
		b := make([]byte, r.IntN(12))
		for i := range b {
			b[i] = byte(r.IntN(128))
		}
		cases = append(cases, string(b))
	}
	for _, s := range cases {
		if got, want := foldASCII(s), foldUnicode(s); got != want {
			t.Fatalf("foldASCII(%q) = %q, want %q", s, got, want)
		}
	}
}
