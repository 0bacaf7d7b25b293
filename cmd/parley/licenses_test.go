package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestLicensesPrintsOursTheNoticeAndEveryModule(t *testing.T) {
	var out bytes.Buffer
	if err := runWith([]string{"licenses"}, strings.NewReader(""), &out, &out); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	for _, want := range []string{"MIT License", "The parley authors", "XED", "modernc.org/sqlite", "charm.land/bubbletea/v2",
		"github.com/spf13/cobra", "Apache License"} {
		if !strings.Contains(s, want) {
			t.Errorf("parley licenses lacks %q", want)
		}
	}
	out.Reset()
	if err := runWith([]string{"licenses", "--short"}, strings.NewReader(""), &out, &out); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "\nmodernc.org/sqlite v") || !strings.Contains(out.String(), "modernc.org/sqlite") {
		t.Fatalf("--short:\n%s", out.String())
	}
}
