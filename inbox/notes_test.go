package inbox

import (
	"slices"
	"testing"
)

func TestMentions(t *testing.T) {
	for text, want := range map[string][]string{
		"@bob please call":                         {"bob"},
		"ask @Bob and @cy.  then @bob again.":      {"Bob", "cy"},
		"mail ann@example.com, not a mention":      nil,
		"(@anne-marie) knows; @@x is not; email@x": {"anne-marie"},
		"@Łukasz, @日本":                             {"Łukasz", "日本"},
	} {
		if got := Mentions(text); !slices.Equal(got, want) {
			t.Errorf("Mentions(%q) = %q, want %q", text, got, want)
		}
	}
}
