package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/parleyhq/parley/inbox/negativity"
)

// runClassify is `parley classify`: one text per line, or JSON lines with
// "text" and an optional "rating", in; one JSON verdict per line out, so
// the detector can be scripted and checked against any labelled file.
func runClassify(args []string, stdin io.Reader, stdout io.Writer) error {
	var c common
	fs := flag.NewFlagSet("parley classify", flag.ContinueOnError)
	c.flags(fs)
	words := fs.String("words", "", "word list to use (default: words in the config)")
	explain := fs.Bool("explain", false, "add what decided each verdict: every feature's push towards it, strongest first")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := c.load("parley.db"); err != nil {
		return err
	}
	if *words == "" {
		*words = c.cfg.Words
	}
	d := negativity.New(*words)
	if err := d.Err(); err != nil {
		return err
	}
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	out := bufio.NewWriter(stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		text, rating := line, 0
		if strings.HasPrefix(strings.TrimSpace(line), "{") {
			var in struct {
				Text   string `json:"text"`
				Rating *int   `json:"rating"`
				Stars  *int   `json:"stars"`
			}
			if err := json.Unmarshal([]byte(line), &in); err != nil {
				return fmt.Errorf("stdin:%d: not a JSON object with \"text\": %v", n, err)
			}
			text = in.Text
			switch {
			case in.Rating != nil:
				rating = *in.Rating
			case in.Stars != nil:
				rating = *in.Stars
			}
			if rating < 0 || rating > 5 {
				return fmt.Errorf("stdin:%d: rating %d is not 1–5", n, rating)
			}
		}
		var v any = d.Classify(text, rating)
		if *explain {
			r, why := d.Explain(text, rating)
			v = struct {
				negativity.Result
				Explain []negativity.Contribution `json:"explain"`
			}{r, why}
		}
		if err := enc.Encode(v); err != nil {
			return err
		}
	}
	return sc.Err()
}
