package negativity

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/jonreiter/govader"
)

// The development (evaluation) data lives outside the repository (its
// terms allow evaluation only, not shipping, and nothing is trained or
// tuned on it): shared/data/sentiment in the checkout's parent folder or
// any folder above it, or PARLEY_SENTIMENT_DATA.
func dataDir() string {
	if d := os.Getenv("PARLEY_SENTIMENT_DATA"); d != "" {
		return d
	}
	d, _ := filepath.Abs(".")
	for {
		p := filepath.Join(d, "shared", "data", "sentiment")
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			return p
		}
		up := filepath.Dir(d)
		if up == d {
			return ""
		}
		d = up
	}
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

// devSet reads the development rows of every language.
func devSet(t testing.TB) map[string][]Example {
	dir := dataDir()
	if dir == "" {
		t.Skip("development data not found: put shared/data/sentiment beside the checkout or set PARLEY_SENTIMENT_DATA")
	}
	out := map[string][]Example{}
	for code, file := range evalFiles {
		f, err := os.Open(filepath.Join(dir, file))
		if err != nil {
			t.Skipf("development data incomplete (%v)", err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var s sample
			if json.Unmarshal(sc.Bytes(), &s) != nil {
				continue
			}
			l := Neutral
			switch s.Label {
			case "neg":
				l = Negative
			case "pos":
				l = Positive
			}
			stars := 0
			if s.Stars != nil {
				stars = *s.Stars
			}
			out[code] = append(out[code], Example{Text: s.Text, Lang: code, Label: l, Weight: float64(stars)})
		}
		f.Close()
	}
	return out
}

type prf struct{ tp, fp, fn, n int }

func (m *prf) add(got, want bool) {
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

// negativeIs tells whether a system calls a text negative.
type negativeIs func(text string, rating int) bool

func measure(rows []Example, sys negativeIs) prf {
	var m prf
	for _, ex := range rows {
		m.add(sys(ex.Text, int(ex.Weight)), ex.Label == Negative)
	}
	return m
}

// Recorded figures: negative-class F1 and precision of the model when it
// was last trained. The test fails when a change falls more than 0.02
// below them. See README.md ("Negativity") for the full table. The fourth
// pass (3,600 more written posts and reviews, lexicons for de, es and ru,
// function words, negated character grams) raised F1 on the development
// set in en, de, fr, es and ru and lowered it in Dutch (.77 → .73,
// precision .75 → .77); its held-out quarters grew to 910 and 1,084 rows
// and are harder than the old ones, so their floors are lower, not the
// model worse on the old rows. README.md says why it shipped.
var (
	devFloor = map[string][2]float64{ // F1, precision
		"en": {0.65, 0.68}, "nl": {0.73, 0.77}, "de": {0.62, 0.60}, "fr": {0.61, 0.60}, "es": {0.62, 0.55}, "ru": {0.66, 0.61},
	}
	inDomainFloor = map[string][2]float64{
		"en": {0.80, 0.87}, "nl": {0.79, 0.83}, "de": {0.85, 0.87}, "fr": {0.75, 0.78}, "es": {0.73, 0.76}, "ru": {0.75, 0.82},
	}
	tweetsFloor = map[string][2]float64{
		"en": {0.76, 0.79}, "nl": {0.75, 0.76}, "de": {0.84, 0.84}, "fr": {0.74, 0.77}, "es": {0.74, 0.71}, "ru": {0.82, 0.86},
	}
)

// TestQuality prints precision, recall and F1 of the negative class per
// language on the development set, beside the old lexicon detector and
// (for English) VADER on the same rows, and on the in-domain held-out
// quarters of the customer messages and of the social-media posts
// written for this project; it fails on a regression below the recorded
// figures.
//
//	go test ./inbox/negativity -run Quality -v
func TestQuality(t *testing.T) {
	d := New("")
	model := func(s string, r int) bool { return d.Classify(s, r).Label == Negative }
	old := func(s string, r int) bool { return d.legacyClassify(s, r).Label == Negative }
	t.Run("InDomain", func(t *testing.T) {
		report(t, heldOutByLang(t, ReadInDomain), inDomainFloor, model, old)
	})
	t.Run("Tweets", func(t *testing.T) {
		report(t, heldOutByLang(t, ReadTweets), tweetsFloor, model, old)
	})
	t.Run("Development", func(t *testing.T) {
		report(t, devSet(t), devFloor, model, old)
	})
}

// heldOutByLang is the held-out quarter of a written set, by language.
func heldOutByLang(t *testing.T, read func(dir string, heldOut bool) ([]Example, error)) map[string][]Example {
	held, err := read("data", true)
	if err != nil {
		t.Fatal(err)
	}
	byLang := map[string][]Example{}
	for _, ex := range held {
		byLang[ex.Lang] = append(byLang[ex.Lang], ex)
	}
	return byLang
}

func report(t *testing.T, byLang map[string][]Example, floor map[string][2]float64, model, old negativeIs) {
	vader := govader.NewSentimentIntensityAnalyzer()
	vaderNeg := func(s string, _ int) bool { return vader.PolarityScores(s).Compound <= -0.05 }
	var all, allOld prf
	for _, code := range Languages {
		rows := byLang[code]
		m, o := measure(rows, model), measure(rows, old)
		for _, x := range []*prf{&all, &allOld} {
			src := m
			if x == &allOld {
				src = o
			}
			x.tp, x.fp, x.fn, x.n = x.tp+src.tp, x.fp+src.fp, x.fn+src.fn, x.n+src.n
		}
		p, r, f := m.scores()
		op, or, of := o.scores()
		line := "%s n=%4d  model P %.2f R %.2f F1 %.2f   old lexicon P %.2f R %.2f F1 %.2f"
		args := []any{code, m.n, p, r, f, op, or, of}
		if code == "en" {
			_, _, vf := measure(rows, vaderNeg).scores()
			line += "   VADER F1 %.2f"
			args = append(args, vf)
		}
		t.Logf(line, args...)
		if fl := floor[code]; f < fl[0]-0.02 || p < fl[1]-0.02 {
			t.Errorf("%s: negative F1 %.2f / precision %.2f fell below the recorded %.2f / %.2f", code, f, p, fl[0], fl[1])
		}
	}
	p, r, f := all.scores()
	_, _, of := allOld.scores()
	t.Logf("all n=%4d  model P %.2f R %.2f F1 %.2f   old lexicon F1 %.2f", all.n, p, r, f, of)
}
