// Package negativity scores messages on the machine, in-process, in
// English, Dutch, German, French, Spanish and Russian: a linear model over
// words, character n-grams, lexicon scores, negation, emoji and complaint
// patterns, trained offline (go run ./inbox/negativity/train) and embedded,
// plus a word list the manager can extend and a per-workspace layer that
// learns from the manager's marks. Nothing is downloaded.
//
// Precision comes first: a false alarm at the top of the complaint queue
// costs more than a miss. Training therefore uses FTRL with an L1
// threshold (see Train), so a word needs consistent evidence before it
// weighs anything, and every feature but the emoji is specific to the
// language. README.md ("The negativity detector") has the reasoning and
// the measured figures.
package negativity

// Label is the verdict.
type Label string

// Labels.
const (
	Negative Label = "negative"
	Neutral  Label = "neutral"
	Positive Label = "positive"
)

// Result is a verdict with what decided it.
type Result struct {
	Label   Label    `json:"label"`
	Score   float64  `json:"score"` // -1 (very negative) … +1
	Lang    string   `json:"lang"`  // en, nl, de, fr, es, ru, or und
	Reasons []string `json:"reasons"`
}
