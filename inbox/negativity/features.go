package negativity

import (
	"math"
	"unicode/utf8"
)

// A feature is a hashed name with a value. src says what in the message
// it came from, so the reasons can name words, not hashes: ≥ 0 a token,
// srcNone nothing nameable, ≤ srcPattern a complaint pattern, ≤ srcEmoji
// an emoji or emoticon.
type feature struct {
	id  uint32
	v   float32
	src int32
}

const (
	srcNone    = -1
	srcPattern = -2     // -2 - k: complaint pattern k
	srcEmoji   = -10000 // -10000 - k: emoji k
	srcFace    = -20000 // a bracket face
)

// buckets is the size of the hashed feature space (a power of two).
const buckets = 1 << 19

// fnv-1a, written out so that hashing a word does not allocate.
const (
	fnvOffset = 2166136261
	fnvPrime  = 16777619
)

func hashStr(h uint32, s string) uint32 {
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= fnvPrime
	}
	return h
}

func hashByte(h uint32, b byte) uint32 {
	h ^= uint32(b)
	return h * fnvPrime
}

func fid(h uint32) uint32 { return (h ^ h>>15) & (buckets - 1) }

// named is the id of a fixed feature such as "pattern:broken".
func named(s string) uint32 { return fid(hashStr(hashByte(fnvOffset, 'n'), s)) }

// analysis is one message taken apart: what the model and the reasons need.
type analysis struct {
	lang     string
	toks     []token
	negated  []bool
	function []bool // a function word (functionwords.go)
	emojis   []string
	patterns []patternHit
	feats    []feature
	sad      bool
	happy    bool

	// scratch for classify, kept with the pooled analysis
	adjs     []adj
	parts    []part
	contribs []Contribution
}

// adj is a fixed adjustment outside the learned weights, in log-odds.
type adj struct {
	what  string
	class int
	by    float64
}

// part is what the features from one source pushed towards the verdict.
type part struct {
	src int32
	by  float64
}

var (
	idShout    = named("shout")
	idQuestion = named("?")
	idSadFace  = named("sad face (")
	idHappy    = named("happy face )")
	idEmoNeg   = named("emoji-")
	idEmoPos   = named("emoji+")
	idLexNeg   = named("lex-")
	idLexPos   = named("lex+")
	idLexNegN  = named("not lex-")
	idLexPosN  = named("not lex+")
	idExtNeg   = named("ext-")
	idExtPos   = named("ext+")
	idExtNegN  = named("not ext-")
	idExtPosN  = named("not ext+")
	idCapsNeg  = named("CAPS lex-")
	idEmphNeg  = named("!! lex-") // a sentiment word in a message with "!!" or "?!"
	idEmphPos  = named("!! lex+")
	// stance.go: whose experience, and laughter
	idFirst      = named("speaker I/we")
	idSecond     = named("addressee you")
	idNoPerson   = named("no person")
	idLexNegNone = named("lex- no person")
	idExtNegNone = named("ext- no person")
	idLaugh      = named("laughter")
	idLexNegLol  = named("lex- laughing")
	idExtNegLol  = named("ext- laughing")
	idNews       = named("news")
	idLexNegNews = named("lex- news")
	lenIDs       = func() (out [7]uint32) {
		for i := range out {
			out[i] = named("len" + string(rune('0'+i)))
		}
		return
	}()
	patternIDs = map[string]uint32{}
)

func patternID(kind string) uint32 {
	if id, ok := patternIDs[kind]; ok {
		return id
	}
	return named("pattern:" + kind)
}

func init() {
	for _, specs := range complaintSpecs {
		for _, s := range specs {
			patternIDs[s[0]] = named("pattern:" + s[0])
		}
	}
	patternIDs["order"] = named("pattern:order")
}

// analyse takes a message apart. lang forces the language (training data
// whose language is known); "" detects it.
func (m *Model) analyse(text, lang string, a *analysis) {
	text = clean(text)
	a.emojis = a.emojis[:0]
	a.toks = tokenizeInto(text, &a.emojis, a.toks[:0])
	if lang == "" {
		lang = detectLang(text, a.toks, m)
	}
	a.lang = lang
	fl := lang
	if fl == "und" {
		fl = "en"
	}
	a.patterns = complaints(fl, a.toks, a.patterns[:0])
	a.sad, a.happy = bracketFaces(text)

	// Negation scope: up to three words after a negator, to the end of the
	// clause; laughter ends it.
	// The same pass notes who the message names, reporting words and
	// laughter (stance.go).
	a.negated = a.negated[:0]
	a.function = a.function[:0]
	neg := 0
	hand := langs[fl]
	ext := m.lex[fl]
	var marks uint8
	lol := laughingFace(a.emojis)
	for _, t := range a.toks {
		mk := hand.marks[t.text]
		marks |= mk
		isNeg := mk&markNegator != 0
		if laughter(t.text) {
			neg = 0
			lol = true
		}
		a.negated = append(a.negated, neg > 0 && !isNeg)
		a.function = append(a.function, mk&markFunction != 0)
		switch {
		case isNeg:
			neg = 3
		case neg > 0:
			neg--
		}
		if t.end {
			neg = 0
		}
	}

	f := a.feats[:0]
	n := len(a.toks)
	wv := float32(1 / math.Sqrt(float64(n+1)))
	langH := hashStr(fnvOffset, fl)
	var grams int
	for _, t := range a.toks {
		grams += utf8.RuneCountInString(t.text) - 1
	}
	cv := float32(1 / math.Sqrt(float64(grams+1)))
	// "!!!" amplifies what the words say, as in VADER, rather than being
	// negative itself: on its own it is as often delight or surprise
	// ("Wow!!", "What?!") as anger. So only its emphasis of each
	// sentiment word is learned. A feature of its own learned whatever
	// the written posts leaned to (four in five of theirs with "!!" are
	// delight), and "Geen aanrader dus!!!!" read as praise.
	emph := punctRun(text) >= 2
	who := marks & (personFirst | personSecond)
	impersonal := who == 0 && len(a.emojis) == 0
	news := marks&markReport != 0
	for i, t := range a.toks {
		src := int32(i)
		h := hashByte(langH, 'w')
		if a.negated[i] {
			h = hashByte(h, '!')
		}
		fw := a.function[i]
		if !fw {
			f = append(f, feature{fid(hashStr(h, t.text)), wv, src})
		}
		if i > 0 && !a.toks[i-1].end {
			h := hashStr(hashByte(langH, 'b'), a.toks[i-1].text)
			f = append(f, feature{fid(hashStr(hashByte(h, ' '), t.text)), wv, src})
		}
		// A negated word's grams are its own, as its word feature is: the
		// grams of "vriendelijk" learned praise, and "niet vriendelijk"
		// read as praise through them.
		gh := langH
		if a.negated[i] {
			gh = hashByte(gh, '!')
		}
		if !fw {
			f = charGrams(gh, t.text, cv, src, f)
		}
		if w, ok := hand.lookup(t.text); ok && w != 0 {
			v := float32(math.Abs(w) / 3)
			id := idLexPos
			switch {
			case w < 0 && a.negated[i]:
				id = idLexNegN
			case w < 0:
				id = idLexNeg
				if t.caps {
					f = append(f, feature{idCapsNeg, v, src})
				}
			case a.negated[i]:
				id = idLexPosN
			}
			f = append(f, feature{id, v, src})
			if w < 0 && !a.negated[i] {
				if impersonal {
					f = append(f, feature{idLexNegNone, v, src})
				}
				if lol {
					f = append(f, feature{idLexNegLol, v, src})
				}
				if news {
					f = append(f, feature{idLexNegNews, v, src})
				}
			}
			if emph && !a.negated[i] {
				if w < 0 {
					f = append(f, feature{idEmphNeg, v, src})
				} else {
					f = append(f, feature{idEmphPos, v, src})
				}
			}
		}
		if w, ok := ext[t.text]; ok && w != 0 {
			v := float32(math.Abs(float64(w)))
			id := idExtPos
			switch {
			case w < 0 && a.negated[i]:
				id = idExtNegN
			case w < 0:
				id = idExtNeg
			case a.negated[i]:
				id = idExtPosN
			}
			f = append(f, feature{id, v, src})
			if w < 0 && !a.negated[i] {
				if impersonal {
					f = append(f, feature{idExtNegNone, v, src})
				}
				if lol {
					f = append(f, feature{idExtNegLol, v, src})
				}
			}
		}
	}
	for k, p := range a.patterns {
		f = append(f, feature{patternID(p.kind), 1, int32(srcPattern - k)})
	}
	for k, e := range a.emojis {
		w := emoji[e]
		id := idEmoPos
		if w < 0 {
			id = idEmoNeg
		}
		f = append(f, feature{id, float32(math.Abs(w) / 3), int32(srcEmoji - k)})
		f = append(f, feature{fid(hashStr(hashByte(fnvOffset, 'e'), e)), 1, int32(srcEmoji - k)})
	}
	if a.sad {
		f = append(f, feature{idSadFace, 1, srcFace})
	}
	if a.happy {
		f = append(f, feature{idHappy, 1, srcFace})
	}
	for i := 0; i < len(text); i++ {
		if text[i] == '?' {
			f = append(f, feature{idQuestion, 1, srcNone})
			break
		}
	}
	if who&personFirst != 0 {
		f = append(f, feature{idFirst, 1, srcNone})
	}
	if who&personSecond != 0 {
		f = append(f, feature{idSecond, 1, srcNone})
	}
	if impersonal {
		f = append(f, feature{idNoPerson, 1, srcNone})
	}
	if lol {
		f = append(f, feature{idLaugh, 1, srcNone})
	}
	if news {
		f = append(f, feature{idNews, 1, srcNone})
	}
	if shouting(text) {
		f = append(f, feature{idShout, 1, srcNone})
	}
	f = append(f, feature{lenIDs[min(n/5, 6)], 1, srcNone})
	a.feats = f
}

// charGrams adds the character 4-grams of a word marked at both ends
// ("<ok>" is one gram): they carry stems and endings across inflections
// and spelling slips. They are hashed with the language (langH), like the
// words: shared across languages, the grams of English "die" (<die, die>)
// made German and Dutch "die" negative again, and the large English
// subtitle set spoke for every language.
func charGrams(langH uint32, w string, v float32, src int32, f []feature) []feature {
	var offs [48]int
	n := 0
	offs[n] = -1 // '<'
	n++
	for i := range w {
		if n == len(offs)-1 {
			break
		}
		offs[n] = i
		n++
	}
	end := len(w)
	if n == len(offs)-1 {
		end = offs[n-1]
		n--
	}
	offs[n] = end // '>'
	n++
	at := func(k int) (int, int) { // byte range of position k; -1 for a marker
		if offs[k] < 0 || offs[k] >= end {
			return -1, -1
		}
		if k+1 < n && offs[k+1] > offs[k] {
			return offs[k], offs[k+1]
		}
		return offs[k], end
	}
	for k := 0; k+4 <= n; k++ {
		h := hashByte(langH, 'c')
		for j := k; j < k+4; j++ {
			a, b := at(j)
			if a < 0 {
				if j == 0 {
					h = hashByte(h, '<')
				} else {
					h = hashByte(h, '>')
				}
				continue
			}
			h = hashStr(h, w[a:b])
		}
		f = append(f, feature{fid(h), v, src})
	}
	return f
}
