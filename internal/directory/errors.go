package directory

import (
	"strconv"

	"github.com/ogforum/ogforum/internal/valid"
)

// FieldErrors reports bad input per field (translation keys).
type FieldErrors = valid.Errors

func itoa(i int) string { return strconv.Itoa(i) }
