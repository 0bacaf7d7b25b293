// Command train rebuilds the negativity model (inbox/negativity/model.bin)
// from the training data, byte for byte:
//
//	go run ./inbox/negativity/train            # from the repository root
//	go run ./inbox/negativity/train -check     # fail if model.bin differs
//
// It reads the customer messages and social-media posts written for this
// project (inbox/negativity/data, each set's held-out quarter left out) and the
// permissively licensed XED texts and lexicons in shared/data/sentiment-train
// beside the checkout (-train DIR or PARLEY_SENTIMENT_TRAIN to point
// elsewhere), a tenth of the XED lines held out. It never reads
// shared/data/sentiment: that is evaluation data.
//
//	go run ./inbox/negativity/train -eval -out /tmp/m.bin  # and measure on the three held-out sets
//
// -projected, -indomain-weight and -tweets change the data and its
// weighting for such experiments; their defaults build the shipped model.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley/inbox/negativity"
)

// inDomainWeight: a message written for this project counts as much as
// this many film subtitle lines. Chosen before training (the in-domain
// rows are about a fiftieth of the data and are what the detector is for).
const inDomainWeight = 6

// projectedWeight: an XED row in nl, de, fr, es or ru counts this much of an
// English one (see -projected).
const projectedWeight = 1.0

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "train:", err)
		os.Exit(1)
	}
}

func run() error {
	trainDir := flag.String("train", "", "sentiment-train folder (default: shared/data/sentiment-train beside the checkout, or $PARLEY_SENTIMENT_TRAIN)")
	inDomain := flag.String("indomain", "inbox/negativity/data", "folder of the in-domain <lang>.tsv and <lang>-tweets.tsv files")
	out := flag.String("out", "inbox/negativity/model.bin", "model file to write")
	check := flag.Bool("check", false, "do not write: fail if the rebuilt model differs from -out")
	eval := flag.Bool("eval", false, "also print P/R/F1 of the negative class on the held-out XED tenth and in-domain quarter")
	idw := flag.Float64("indomain-weight", inDomainWeight, "weight of an in-domain row against a subtitle line")
	projected := flag.Float64("projected", projectedWeight, "weight of XED rows whose labels were projected from English (nl, de, fr, es, ru)")
	withTweets := flag.Bool("tweets", true, "train on the social-media posts (<lang>-tweets.tsv) too; false measures the model without them")
	flag.Parse()
	dir := *trainDir
	if dir == "" {
		dir = os.Getenv("PARLEY_SENTIMENT_TRAIN")
	}
	if dir == "" {
		dir = findUp(filepath.Join("shared", "data", "sentiment-train"))
	}
	if dir == "" {
		return errors.New("shared/data/sentiment-train not found beside the checkout: pass -train DIR")
	}
	t0 := time.Now()
	lex, err := readLexicons(filepath.Join(dir, "lexicons"), *inDomain)
	if err != nil {
		return err
	}
	examples, err := negativity.ReadInDomain(*inDomain, false)
	if err != nil {
		return err
	}
	if *withTweets {
		tw, err := negativity.ReadTweets(*inDomain, false)
		if err != nil {
			return err
		}
		examples = append(examples, tw...)
	}
	for i := range examples {
		examples[i].Weight = *idw
	}
	nIn := len(examples)
	var xedHeld []negativity.Example
	for _, code := range negativity.Languages {
		files, _ := filepath.Glob(filepath.Join(dir, code+"-xed*.jsonl"))
		if len(files) == 0 {
			return fmt.Errorf("%s: no %s-xed*.jsonl", dir, code)
		}
		for _, f := range files {
			ex, err := readJSONL(f, code)
			if err != nil {
				return err
			}
			for _, e := range ex {
				if negativity.XEDHeldOut(e.Text) {
					xedHeld = append(xedHeld, e)
				} else {
					examples = append(examples, e)
				}
			}
		}
	}
	balance(examples[nIn:])
	for i := nIn; i < len(examples); i++ {
		if examples[i].Lang != "en" {
			examples[i].Weight *= *projected
		}
	}
	m := negativity.Train(examples, lex, negativity.TrainConfig{})
	data := m.Encode()
	fmt.Fprintf(os.Stderr, "trained on %d rows (%d in-domain) in %s; model %d bytes\n", len(examples), nIn, time.Since(t0).Round(time.Millisecond), len(data))
	if *eval {
		held, err := negativity.ReadInDomain(*inDomain, true)
		if err != nil {
			return err
		}
		heldTweets, err := negativity.ReadTweets(*inDomain, true)
		if err != nil {
			return err
		}
		report(m, "XED held-out tenth", xedHeld)
		report(m, "in-domain held-out quarter", held)
		report(m, "tweets held-out quarter", heldTweets)
	}
	if *check {
		old, err := os.ReadFile(*out)
		if err != nil {
			return err
		}
		if !bytes.Equal(old, data) {
			return fmt.Errorf("%s differs from a fresh build: run go run ./inbox/negativity/train and commit it", *out)
		}
		fmt.Fprintln(os.Stderr, *out, "is reproducible")
		return nil
	}
	return os.WriteFile(*out, data, 0o644)
}

// balance weighs the XED rows so that no class, and no language's
// leaning, becomes the model's prior. English rows are weighed so that
// each class counts the same in total over all rows, as before: half of
// the subtitle lines are negative (fear and sadness), and a model that
// learned that prior would call too much negative in an inbox. The rows
// of the projected languages are balanced within their language: they
// are 54% negative and only 20% neutral, and balanced only over all
// languages together, the words and character grams every text of such a
// language has ("von", "hat", "sa", "el") learned that the language
// itself leans negative, so plain German, French or Spanish statements
// read as complaints. English keeps its own mix, which its 9.7k neutral
// lines make the closest to an inbox's.
func balance(ex []negativity.Example) {
	type key struct {
		lang  string
		label negativity.Label
	}
	all := map[negativity.Label]int{}
	count := map[key]int{}
	total := map[string]int{}
	for _, e := range ex {
		all[e.Label]++
		count[key{e.Lang, e.Label}]++
		total[e.Lang]++
	}
	for i := range ex {
		e := &ex[i]
		if e.Lang == "en" {
			e.Weight = float64(len(ex)) / float64(3*all[e.Label])
		} else {
			e.Weight = float64(total[e.Lang]) / float64(3*count[key{e.Lang, e.Label}])
		}
	}
}

// findUp looks for rel in the working directory and each folder above it.
func findUp(rel string) string {
	d, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if st, err := os.Stat(filepath.Join(d, rel)); err == nil && st.IsDir() {
			return filepath.Join(d, rel)
		}
		up := filepath.Dir(d)
		if up == d {
			return ""
		}
		d = up
	}
}

func readJSONL(path, code string) ([]negativity.Example, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []negativity.Example
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		var row struct {
			Text  string `json:"text"`
			Label string `json:"label"`
		}
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", path, n, err)
		}
		l := negativity.Neutral
		switch row.Label {
		case "neg":
			l = negativity.Negative
		case "pos":
			l = negativity.Positive
		}
		out = append(out, negativity.Example{Text: row.Text, Lang: code, Label: l, Weight: 1})
	}
	return out, sc.Err()
}

// readLexicons merges the third-party lexicons per language into one
// score per word in -1…+1, the mean over the sources that list it, with
// the lexicons written for this project (<own>/<lang>-lexicon.tsv, on
// VADER's -4…+4 scale). Those exist because the third-party ones leave
// languages bare: Russian has none, German and Spanish only OpeNER's
// hotel words, so a lexicon word there was mostly one the model had
// already seen in training, not one it could generalise to.
// Multi-word entries are left out.
func readLexicons(dir, own string) (map[string]map[string]float32, error) {
	sum := map[string]map[string][2]float64{}
	add := func(code, word string, v float64) {
		word = negativity.Fold(word)
		if word == "" || strings.ContainsAny(word, " _") || v == 0 || len(word) > 255 {
			return
		}
		if sum[code] == nil {
			sum[code] = map[string][2]float64{}
		}
		s := sum[code][word]
		sum[code][word] = [2]float64{s[0] + math.Max(-1, math.Min(1, v)), s[1] + 1}
	}
	tsv := func(path, code string, col int, div float64) error {
		return eachLine(filepath.Join(dir, path), func(line string) error {
			f := strings.Split(line, "\t")
			if len(f) <= col {
				return nil
			}
			v, err := strconv.ParseFloat(f[col], 64)
			if err != nil {
				return nil
			}
			add(code, f[0], v/div)
			return nil
		})
	}
	if err := errors.Join(
		tsv("vader/vader_lexicon.txt", "en", 1, 4),
		tsv("afinn/AFINN-en-165.txt", "en", 1, 5),
		tsv("afinn/AFINN-fr-165.txt", "fr", 1, 5),
	); err != nil {
		return nil, err
	}
	for _, code := range negativity.Languages {
		path := filepath.Join(own, code+"-lexicon.tsv")
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			continue
		}
		n := 0
		err := eachLine(path, func(line string) error {
			n++
			if line == "" || strings.HasPrefix(line, "#") {
				return nil
			}
			w, score, ok := strings.Cut(line, "\t")
			v, err := strconv.ParseFloat(strings.TrimSpace(score), 64)
			if !ok || err != nil || v < -4 || v > 4 {
				return fmt.Errorf("%s:%d: want a word, a tab, then a score from -4 to 4", path, n)
			}
			add(code, w, v/4)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	word := regexp.MustCompile(`<word form="([^"]+)"[^>]*? polarity="([-0-9.]+)"`)
	for _, code := range []string{"en", "nl", "fr"} {
		b, err := os.ReadFile(filepath.Join(dir, "pattern", code+"-sentiment.xml"))
		if err != nil {
			return nil, err
		}
		// A form with several senses gets their mean first.
		senses := map[string][2]float64{}
		var order []string
		for _, m := range word.FindAllSubmatch(b, -1) {
			v, _ := strconv.ParseFloat(string(m[2]), 64)
			f := string(m[1])
			if _, ok := senses[f]; !ok {
				order = append(order, f)
			}
			s := senses[f]
			senses[f] = [2]float64{s[0] + v, s[1] + 1}
		}
		for _, f := range order {
			add(code, f, senses[f][0]/senses[f][1])
		}
	}
	pol := map[string]float64{"strongpositive": 1, "positive": 0.5, "negative": -0.5, "strongnegative": -1}
	for _, code := range []string{"de", "en", "es", "fr", "nl"} {
		err := eachLine(filepath.Join(dir, "opener/lexicons_from_annotations/hotel", code, "expressions.csv"), func(line string) error {
			first, _, _ := strings.Cut(line, ";")
			expr, p, ok := strings.Cut(strings.Trim(first, `"`), "#")
			if ok {
				add(code, expr, pol[p])
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	out := map[string]map[string]float32{}
	for code, words := range sum {
		out[code] = map[string]float32{}
		for w, s := range words {
			if v := s[0] / s[1]; math.Abs(v) >= 0.05 {
				out[code][w] = float32(v)
			}
		}
	}
	return out, nil
}

func eachLine(path string, fn func(string) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if err := fn(sc.Text()); err != nil {
			return err
		}
	}
	return sc.Err()
}

// report prints the negative class's precision, recall and F1 per language.
func report(m *negativity.Model, name string, rows []negativity.Example) {
	d := negativity.NewWithModel(m)
	type prf struct{ tp, fp, fn, n, lang int }
	per := map[string]*prf{}
	for _, ex := range rows {
		c := per[ex.Lang]
		if c == nil {
			c = &prf{}
			per[ex.Lang] = c
		}
		r := d.Classify(ex.Text, 0)
		got, want := r.Label == negativity.Negative, ex.Label == negativity.Negative
		c.n++
		if r.Lang == ex.Lang {
			c.lang++
		}
		switch {
		case got && want:
			c.tp++
		case got:
			c.fp++
		case want:
			c.fn++
		}
	}
	fmt.Fprintf(os.Stderr, "%s:\n", name)
	all := &prf{}
	for _, c := range per {
		all.tp, all.fp, all.fn, all.n, all.lang = all.tp+c.tp, all.fp+c.fp, all.fn+c.fn, all.n+c.n, all.lang+c.lang
	}
	per["all"] = all
	for _, code := range append(negativity.Languages, "all") {
		c := per[code]
		if c == nil {
			continue
		}
		p := float64(c.tp) / math.Max(1, float64(c.tp+c.fp))
		r := float64(c.tp) / math.Max(1, float64(c.tp+c.fn))
		f := 0.0
		if p+r > 0 {
			f = 2 * p * r / (p + r)
		}
		fmt.Fprintf(os.Stderr, "  %s n=%5d  P %.2f R %.2f F1 %.2f  (flagged %d, language right %.2f)\n", code, c.n, p, r, f, c.tp+c.fp,
			float64(c.lang)/float64(c.n))
	}
}
