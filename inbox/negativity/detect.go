package negativity

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"sync"
)

// Contribution is how much one thing in a message pushed it towards the
// verdict (positive: towards it).
type Contribution struct {
	What   string  `json:"what"`
	Weight float64 `json:"weight"`
}

var analyses = sync.Pool{New: func() any { return new(analysis) }}

// Classify scores one message; rating is 1–5 for reviews, else 0.
func (d *Detector) Classify(text string, rating int) Result {
	r, _ := d.classify(text, rating, false)
	return r
}

// Explain is Classify with everything that moved the verdict, strongest
// first: words (with their character n-grams and lexicon scores),
// complaint patterns, emoji, the word list, the workspace's own layer,
// the rating, and the model's prior.
func (d *Detector) Explain(text string, rating int) (Result, []Contribution) {
	return d.classify(text, rating, true)
}

func (d *Detector) classify(text string, rating int, explain bool) (Result, []Contribution) {
	extra, ignore := d.words()
	if len(ignore) > 0 {
		low := Fold(text)
		for _, ig := range ignore {
			if strings.Contains(low, ig) {
				low = strings.ReplaceAll(low, ig, " ")
				text = low // casing is lost, but the ignored term must not count
			}
		}
	}
	a := analyses.Get().(*analysis)
	defer analyses.Put(a)
	m := d.model
	m.analyse(text, "", a)
	z := m.scores(a.feats)

	// Fixed adjustments outside the learned weights, in log-odds.
	adjs := a.adjs[:0]
	defer func() { a.adjs = adjs[:0] }()
	if len(extra) > 0 {
		for i, t := range a.toks {
			term := t.text
			w, ok := extra[term]
			if !ok && i+1 < len(a.toks) {
				term = t.text + " " + a.toks[i+1].text
				w, ok = extra[term]
			}
			if ok {
				c := classPos
				if w < 0 {
					c = classNeg
				}
				adjs = append(adjs, adj{"list: " + term, c, math.Abs(w)})
			}
		}
	}
	// Emoji and bracket faces are rare in the training text, so their
	// lexicon weights count as they are rather than as learned.
	for _, e := range a.emojis {
		if w := emoji[e]; w < 0 {
			adjs = append(adjs, adj{e, classNeg, -w / 2})
		} else {
			adjs = append(adjs, adj{e, classPos, w / 2})
		}
	}
	if a.sad {
		adjs = append(adjs, adj{"sad face (", classNeg, 1.5})
	}
	if a.happy {
		adjs = append(adjs, adj{"smile )", classPos, 1.5})
	}
	if l := d.local.margin(a.feats); l != 0 {
		adjs = append(adjs, adj{"learned in this workspace", classNeg, l})
	}
	switch rating {
	case 1:
		adjs = append(adjs, adj{"rating 1★", classNeg, 4})
	case 2:
		adjs = append(adjs, adj{"rating 2★", classNeg, 3})
	case 4:
		adjs = append(adjs, adj{"rating 4★", classPos, 2})
	case 5:
		adjs = append(adjs, adj{"rating 5★", classPos, 3})
	}
	for _, x := range adjs {
		z[x.class] += x.by
	}
	p := softmax(z)
	r := Result{Lang: a.lang, Score: math.Round((p[classPos]-p[classNeg])*1000) / 1000, Label: Neutral}
	decided := classNeu
	switch {
	case p[classNeg] >= p[classNeu] && p[classNeg] >= p[classPos]:
		r.Label, decided = Negative, classNeg
	case p[classPos] > p[classNeu]:
		r.Label, decided = Positive, classPos
	}
	r.Reasons = []string{}
	if decided == classNeu && !explain {
		return r, nil
	}
	if decided != classNeu {
		r.Reasons = make([]string, 0, 5)
	}
	// Sum what pushed towards the verdict by where it came from. The
	// scratch slices live in the pooled analysis: a verdict allocates only
	// its reasons (and, explained, the contributions it returns).
	parts := a.parts[:0]
	defer func() { a.parts = parts[:0] }()
	addPart := func(src int32, by float64) {
		for i := range parts {
			if parts[i].src == src {
				parts[i].by += by
				return
			}
		}
		parts = append(parts, part{src, by})
	}
	for _, x := range a.feats {
		src := x.src
		if src >= 0 {
			for k, h := range a.patterns {
				if int(src) >= h.from && int(src) < h.to {
					src = int32(srcPattern - k)
					break
				}
			}
		}
		if src == srcNone {
			src = -30000 - int32(x.id) // each unnamed feature on its own
		}
		addPart(src, m.push(x, decided))
	}
	out := a.contribs[:0]
	if explain {
		out = make([]Contribution, 0, len(parts)+len(adjs)+1)
	} else {
		defer func() { a.contribs = out[:0] }()
	}
	for _, pt := range parts {
		if name := a.name(pt.src); name != "" {
			out = append(out, Contribution{name, pt.by})
		}
	}
	for _, x := range adjs {
		by := x.by
		if x.class != decided {
			by = -by
		}
		out = append(out, Contribution{x.what, by})
	}
	if explain {
		out = append(out, Contribution{"prior", float64(m.bias[decided]) - (float64(m.bias[0])+float64(m.bias[1])+float64(m.bias[2])-float64(m.bias[decided]))/2})
	}
	// One line per name: a word's features, or an emoji's learned and
	// fixed weights, are one thing to the reader.
	merged := out[:0]
	for _, c := range out {
		if i := slices.IndexFunc(merged, func(m Contribution) bool { return m.What == c.What }); i >= 0 {
			merged[i].Weight += c.Weight
			continue
		}
		merged = append(merged, c)
	}
	out = merged
	slices.SortStableFunc(out, func(x, y Contribution) int { return cmp.Compare(math.Abs(y.Weight), math.Abs(x.Weight)) })
	// Reasons: what pushed towards the verdict clearly, once each, at most five.
	for _, c := range out {
		if c.Weight < 0.25 || c.What == "prior" || len(r.Reasons) == 5 {
			continue
		}
		dup := false
		for _, s := range r.Reasons {
			dup = dup || s == c.What
		}
		if !dup {
			r.Reasons = append(r.Reasons, c.What)
		}
	}
	if decided == classNeu {
		r.Reasons = []string{}
	}
	return r, out
}

// push is how much a feature moves the message towards class c, against
// the mean of the other two.
func (m *Model) push(x feature, c int) float64 {
	w := m.w[int(x.id)*classes : int(x.id)*classes+classes]
	others := 0.0
	for k := range classes {
		if k != c {
			others += float64(w[k])
		}
	}
	return float64(x.v) * (float64(w[c]) - others/2)
}

var unnamed = map[uint32]string{
	idShout: "ALL CAPS", idQuestion: "a question",
}

// name is the human-readable source of a feature.
func (a *analysis) name(src int32) string {
	switch {
	case src >= 0:
		w := a.toks[src].text
		if a.negated[src] {
			return "not " + w
		}
		return w
	case src == srcFace:
		if a.sad {
			return "sad face ("
		}
		return "smile )"
	case src <= -30000:
		return unnamed[uint32(-30000-src)]
	case src <= srcEmoji:
		return a.emojis[srcEmoji-src]
	case src <= srcPattern:
		h := a.patterns[srcPattern-src]
		words := make([]string, 0, h.to-h.from)
		for _, t := range a.toks[h.from:h.to] {
			words = append(words, t.text)
		}
		return strings.Join(words, " ")
	}
	return ""
}
