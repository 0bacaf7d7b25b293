package negativity

import "math"

// Language identification for Latin-script text: naive Bayes over each
// word and its character trigrams (with word-boundary marks), counted per
// language on the training rows, whose language is known. It replaced
// stop-word voting as the decider among en, nl, de, fr and es because the
// voting got one short line in five wrong (German subtitle lines read as
// Dutch on "die", "was", "ich"; Spanish as French), and a message read in
// the wrong language is scored by the wrong language's words: noise that
// leaned negative. Measured on the held-out tenth of the XED lines, see
// README.md.

// idLangs are the languages the identifier tells apart (Russian is told
// by its script, or by transliterated Russian words, before it is asked).
var idLangs = [5]string{"en", "nl", "de", "fr", "es"}

const langBuckets = 1 << 16

// langFeatures calls fn with the hashed id of every word and character
// trigram of the tokens, without allocating.
func langFeatures(toks []token, fn func(id uint32)) {
	for _, t := range toks {
		w := t.text
		if !hasLetter(w) {
			continue
		}
		fn(hashStr(hashByte(fnvOffset, 'W'), w) & (langBuckets - 1))
		// Trigrams of "<word>" over bytes: accents are several bytes, and
		// their grams tell languages apart all the same.
		n := len(w) + 2
		at := func(i int) byte {
			switch i {
			case 0:
				return '<'
			case n - 1:
				return '>'
			}
			return w[i-1]
		}
		for i := 0; i+3 <= n; i++ {
			h := hashByte(hashByte(hashByte(hashByte(fnvOffset, 'T'), at(i)), at(i+1)), at(i+2))
			fn(h & (langBuckets - 1))
		}
	}
}

func hasLetter(w string) bool {
	for _, r := range w {
		if r > '9' || r < '0' {
			return true
		}
	}
	return false
}

// countLangFeatures counts the features of the rows per language, for
// the model file (saturating at the top of uint16).
func countLangFeatures(rows []Example, analyse func(text string) []token) []uint16 {
	counts := make([]uint16, langBuckets*len(idLangs))
	for _, ex := range rows {
		l := -1
		for i, c := range idLangs {
			if c == ex.Lang {
				l = i
			}
		}
		if l < 0 {
			continue
		}
		langFeatures(analyse(ex.Text), func(id uint32) {
			if k := int(id)*len(idLangs) + l; counts[k] < math.MaxUint16 {
				counts[k]++
			}
		})
	}
	return counts
}

// langLogProbs turns counts into smoothed log-probabilities per feature
// and language (at load time, so math.Log's last bit does not matter to
// the file).
func langLogProbs(counts []uint16) []float32 {
	if len(counts) == 0 {
		return nil
	}
	const alpha = 0.5
	var total [len(idLangs)]float64
	for k, c := range counts {
		total[k%len(idLangs)] += float64(c)
	}
	out := make([]float32, len(counts))
	for k, c := range counts {
		l := k % len(idLangs)
		out[k] = float32(math.Log((float64(c) + alpha) / (total[l] + alpha*langBuckets)))
	}
	return out
}

// langSeenBits marks the features seen in any language, one bit each.
func langSeenBits(counts []uint16) []uint64 {
	seen := make([]uint64, langBuckets/64)
	for k, c := range counts {
		if id := k / len(idLangs); c > 0 {
			seen[id/64] |= 1 << (id % 64)
		}
	}
	return seen
}

// identify is the most likely of idLangs for the tokens, or "" when no
// word has a letter or none of their features was ever seen.
func (m *Model) identify(toks []token) string {
	if len(m.langLogP) == 0 {
		return ""
	}
	var score [len(idLangs)]float64
	seen := false
	langFeatures(toks, func(id uint32) {
		p := (*[len(idLangs)]float32)(m.langLogP[int(id)*len(idLangs):])
		for l, v := range p {
			score[l] += float64(v)
		}
		seen = seen || m.langSeen[id/64]&(1<<(id%64)) != 0
	})
	if !seen {
		return ""
	}
	best := 0
	for l := range score {
		if score[l] > score[best] {
			best = l
		}
	}
	return idLangs[best]
}
