package negativity

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The written data is read strictly: a row without a label, or a text
// written twice in one file, stops training with the file and line.
func TestReadWrittenRejectsBadRows(t *testing.T) {
	for _, tc := range []struct{ rows, want string }{
		{"neg\tBroken again.\nneu\tOpen on Sundays?\nneg\tBroken again.\n", "en.tsv:3: the same text as line 1"},
		{"# a comment\nbad\tNo label.\n", "en.tsv:2: want neg, neu or pos"},
	} {
		dir := t.TempDir()
		for _, code := range Languages {
			body := "neu\tok " + code + "\n"
			if code == "en" {
				body = tc.rows
			}
			if err := os.WriteFile(filepath.Join(dir, code+".tsv"), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		_, err := ReadInDomain(dir, false)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("rows %q: got %v, want an error with %q", tc.rows, err, tc.want)
		}
	}
}

// The committed data passes the same reading.
func TestWrittenDataReads(t *testing.T) {
	for _, held := range []bool{false, true} {
		if _, err := ReadInDomain("data", held); err != nil {
			t.Error(err)
		}
		if _, err := ReadTweets("data", held); err != nil {
			t.Error(err)
		}
	}
}
