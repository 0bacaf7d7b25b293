package negativity

import (
	"bufio"
	"encoding/json"
	"hash/fnv"
	"os"
	"path/filepath"
	"testing"
)

// The evaluation data lives outside the repository (its terms allow
// evaluation only, not shipping): ../shared/data/sentiment beside the
// checkout, or PARLEY_SENTIMENT_DATA.
func dataDir() string {
	if d := os.Getenv("PARLEY_SENTIMENT_DATA"); d != "" {
		return d
	}
	return filepath.Join("..", "..", "..", "shared", "data", "sentiment")
}

var evalFiles = map[string]string{
	"en": "en-xlmt-tweets.jsonl", "de": "de-xlmt-tweets.jsonl", "fr": "fr-xlmt-tweets.jsonl",
	"es": "es-xlmt-tweets.jsonl", "ru": "ru-rusentitweet.jsonl", "nl": "nl-semeval2016-absa-restaurant-sentences.jsonl",
}

type sample struct {
	Text  string `json:"text"`
	Label string `json:"label"`
	Stars *int   `json:"stars"`
}

// heldOut puts half the rows, chosen by a hash of the text, in a split
// that is never looked at while tuning.
func heldOut(text string) bool {
	h := fnv.New32a()
	h.Write([]byte(text))
	return h.Sum32()%2 == 1
}

type prf struct{ tp, fp, fn, n int }

func (m prf) scores() (p, r, f float64) {
	if m.tp+m.fp > 0 {
		p = float64(m.tp) / float64(m.tp+m.fp)
	}
	if m.tp+m.fn > 0 {
		r = float64(m.tp) / float64(m.tp+m.fn)
	}
	if p+r > 0 {
		f = 2 * p * r / (p + r)
	}
	return
}

func evaluate(t *testing.T, split func(string) bool) map[string]prf {
	d := New("")
	out := map[string]prf{}
	for code, file := range evalFiles {
		f, err := os.Open(filepath.Join(dataDir(), file))
		if err != nil {
			t.Skipf("evaluation data not found (%v): it lives in ../shared/data/sentiment beside the checkout", err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		var m prf
		for sc.Scan() {
			var s sample
			if json.Unmarshal(sc.Bytes(), &s) != nil || !split(s.Text) {
				continue
			}
			stars := 0
			if s.Stars != nil {
				stars = *s.Stars
			}
			got := d.Classify(s.Text, stars).Label == Negative
			want := s.Label == "neg"
			m.n++
			switch {
			case got && want:
				m.tp++
			case got && !want:
				m.fp++
			case !got && want:
				m.fn++
			}
		}
		f.Close()
		out[code] = m
	}
	return out
}

// TestNegativityQuality reports precision, recall and F1 of the negative
// class per language on the held-out half, and fails if any falls below
// what this detector reached when it was written (a regression guard; the
// goals in the issue are higher, see the closing note).
//
//	go test ./inbox/negativity -run TestNegativityQuality -v
func TestNegativityQuality(t *testing.T) {
	// Measured when written: en .52, nl .53, de .45, fr .43, es .38, ru .56.
	floor := map[string]float64{"en": 0.47, "nl": 0.48, "de": 0.40, "fr": 0.38, "es": 0.33, "ru": 0.51}
	res := evaluate(t, heldOut)
	for _, code := range []string{"en", "nl", "de", "fr", "es", "ru"} {
		p, r, f := res[code].scores()
		t.Logf("%s  held-out n=%4d  negative: precision %.2f  recall %.2f  F1 %.2f", code, res[code].n, p, r, f)
		if f < floor[code] {
			t.Errorf("%s: negative F1 %.2f fell below %.2f", code, f, floor[code])
		}
	}
}

// TestNegativityDev is the split used for tuning.
func TestNegativityDev(t *testing.T) {
	res := evaluate(t, func(s string) bool { return !heldOut(s) })
	for _, code := range []string{"en", "nl", "de", "fr", "es", "ru"} {
		p, r, f := res[code].scores()
		t.Logf("%s  dev n=%4d  negative: precision %.2f  recall %.2f  F1 %.2f", code, res[code].n, p, r, f)
	}
}
