package rpcerr

import "fmt"

// MaxIDLength bounds every id a caller sends. The lab's ids are short
// ("product-123"); 64 leaves room and keeps any message that names one short.
const MaxIDLength = 64

// CheckID returns the violation of an id that is empty, longer than
// MaxIDLength, or not made of letters, digits, '-', '_' and '.'. A valid id
// can be echoed in a message as it is: it holds nothing to escape.
func CheckID(field, noun, id string) (Violation, bool) {
	switch {
	case id == "":
		return Violation{Field: field, Description: noun + " id is required"}, false
	case len(id) > MaxIDLength:
		return Violation{Field: field,
			Description: fmt.Sprintf("%s id is longer than %d characters", noun, MaxIDLength)}, false
	}
	for _, r := range id {
		if !isIDChar(r) {
			return Violation{Field: field,
				Description: noun + " id may hold only letters, digits, '-', '_' and '.'"}, false
		}
	}
	return Violation{}, true
}

func isIDChar(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.'
}
