package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/parleyhq/parley/inbox/negativity"
)

// classifyCmd is `parley classify`: one text per line, or JSON lines with
// "text" and an optional "rating", in; one JSON verdict per line out, so
// the detector can be scripted and checked against any labelled file.
func classifyCmd(c *common) *cobra.Command {
	var words string
	cmd := &cobra.Command{Use: "classify", Short: `score text from stdin (lines, or JSON lines with "text" and "rating")`, Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runClassify(c, words, cmd.InOrStdin(), cmd.OutOrStdout())
		}}
	cmd.Flags().StringVar(&words, "words", "", "word list to use (default: words in the config)")
	return cmd
}

func runClassify(c *common, words string, stdin io.Reader, stdout io.Writer) error {
	if err := c.load("parley.db"); err != nil {
		return err
	}
	if words == "" {
		words = c.cfg.Words
	}
	d := negativity.New(words)
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
		if err := enc.Encode(d.Classify(text, rating)); err != nil {
			return err
		}
	}
	return sc.Err()
}
