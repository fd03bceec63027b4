package store

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/binary"
	"strings"
	"time"
)

var idEncoding = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// NewID returns a new identifier: 20 characters of lowercase Crockford
// base32, a 48-bit millisecond timestamp followed by 52 random bits, so
// identifiers sort roughly by creation time.
func NewID() string {
	var b [13]byte
	binary.BigEndian.PutUint64(b[:8], uint64(time.Now().UnixMilli())<<16)
	rand.Read(b[6:])
	return idEncoding.EncodeToString(b[:])[:20]
}

// ValidID tells whether s looks like an identifier made by NewID, so that
// handlers can answer 404 without a query.
func ValidID(s string) bool {
	if len(s) != 20 {
		return false
	}
	return strings.Trim(s, "0123456789abcdefghjkmnpqrstvwxyz") == ""
}
