package negativity

import (
	"bytes"
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sort"
	"sync"
)

// The classes, in the order of the model's weights.
const (
	classNeg = iota
	classNeu
	classPos
	classes
)

// model.bin is written by `go run ./inbox/negativity/train`; see README.md.
//
//go:generate go run ./train -indomain data -out model.bin
//go:embed model.bin
var modelBin []byte

// Model is a trained linear model: per hashed feature one weight for each
// class, a bias per class, and the third-party lexicons it reads (per
// language, word → -1…+1).
type Model struct {
	w    []float32 // buckets × classes
	bias [classes]float32
	lex  map[string]map[string]float32
	// langCount is the language identifier's feature counts (see
	// langid.go), langLogP their log-probabilities, langSeen which
	// features any language has.
	langCount []uint16
	langLogP  []float32
	langSeen  []uint64
}

var (
	loadOnce  sync.Once
	loaded    *Model
	errLoaded error
)

// embedded is the model built into the binary.
func embedded() *Model {
	loadOnce.Do(func() {
		loaded, errLoaded = DecodeModel(modelBin)
		if errLoaded != nil {
			panic("negativity: the embedded model is unreadable (rebuild it with go run ./inbox/negativity/train): " + errLoaded.Error())
		}
	})
	return loaded
}

const modelMagic = "parley-negativity-2\n"

// Encode writes the model in its file format: the magic line, the bucket
// count, the weight scale, the biases, the weights as int16, then the
// lexicon entries sorted by language and word. Equal models give equal
// bytes.
func (m *Model) Encode() []byte {
	var b bytes.Buffer
	b.WriteString(modelMagic)
	put := func(v any) { _ = binary.Write(&b, binary.LittleEndian, v) }
	var top float64
	for _, w := range m.w {
		top = math.Max(top, math.Abs(float64(w)))
	}
	scale := float32(top / 32767)
	if scale == 0 {
		scale = 1
	}
	put(uint32(buckets))
	put(scale)
	put(m.bias)
	q := make([]int16, len(m.w))
	for i, w := range m.w {
		q[i] = int16(math.Round(float64(w / scale)))
	}
	put(q)
	codes := make([]string, 0, len(m.lex))
	for c := range m.lex {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	put(uint32(len(codes)))
	for _, c := range codes {
		words := make([]string, 0, len(m.lex[c]))
		for w := range m.lex[c] {
			words = append(words, w)
		}
		sort.Strings(words)
		put(uint8(len(c)))
		b.WriteString(c)
		put(uint32(len(words)))
		for _, w := range words {
			put(uint8(len(w)))
			b.WriteString(w)
			put(int8(math.Round(float64(m.lex[c][w]) * 100)))
		}
	}
	put(uint32(len(m.langCount)))
	put(m.langCount)
	return b.Bytes()
}

// DecodeModel reads what Encode wrote.
func DecodeModel(data []byte) (*Model, error) {
	r := bytes.NewReader(data)
	magic := make([]byte, len(modelMagic))
	if _, err := r.Read(magic); err != nil || string(magic) != modelMagic {
		return nil, errors.New("not a parley negativity model")
	}
	get := func(v any) error { return binary.Read(r, binary.LittleEndian, v) }
	var n uint32
	var scale float32
	m := &Model{lex: map[string]map[string]float32{}}
	if err := errors.Join(get(&n), get(&scale), get(&m.bias)); err != nil {
		return nil, fmt.Errorf("model header: %w", err)
	}
	if n != buckets {
		return nil, fmt.Errorf("model has %d buckets, this build expects %d: retrain it", n, buckets)
	}
	q := make([]int16, int(n)*classes)
	if err := get(q); err != nil {
		return nil, fmt.Errorf("model weights: %w", err)
	}
	m.w = make([]float32, len(q))
	for i, v := range q {
		m.w[i] = float32(v) * scale
	}
	var nl uint32
	if err := get(&nl); err != nil {
		return nil, fmt.Errorf("model lexicons: %w", err)
	}
	readStr := func() (string, error) {
		var l uint8
		if err := get(&l); err != nil {
			return "", err
		}
		s := make([]byte, l)
		_, err := r.Read(s)
		return string(s), err
	}
	for range nl {
		code, err := readStr()
		var cnt uint32
		if err = errors.Join(err, get(&cnt)); err != nil {
			return nil, fmt.Errorf("model lexicons: %w", err)
		}
		lx := make(map[string]float32, cnt)
		for range cnt {
			w, err := readStr()
			var s int8
			if err = errors.Join(err, get(&s)); err != nil {
				return nil, fmt.Errorf("model lexicon %s: %w", code, err)
			}
			lx[w] = float32(s) / 100
		}
		m.lex[code] = lx
	}
	var nc uint32
	if err := get(&nc); err != nil || (nc != 0 && nc != langBuckets*uint32(len(idLangs))) {
		return nil, fmt.Errorf("model language identifier: %d counts (%v)", nc, err)
	}
	m.langCount = make([]uint16, nc)
	if err := get(m.langCount); err != nil {
		return nil, fmt.Errorf("model language identifier: %w", err)
	}
	m.langLogP, m.langSeen = langLogProbs(m.langCount), langSeenBits(m.langCount)
	if r.Len() != 0 {
		return nil, fmt.Errorf("model has %d bytes of trailing data", r.Len())
	}
	return m, nil
}

// scores are the class scores (log-odds before softmax) of the features.
func (m *Model) scores(f []feature) [classes]float64 {
	var z [classes]float64
	for c := range z {
		z[c] = float64(m.bias[c])
	}
	for _, x := range f {
		w := m.w[int(x.id)*classes : int(x.id)*classes+classes]
		v := float64(x.v)
		z[0] += v * float64(w[0])
		z[1] += v * float64(w[1])
		z[2] += v * float64(w[2])
	}
	return z
}

// negPush is how much a feature moves the message towards negative,
// against the mean of the other classes.
func (m *Model) negPush(x feature) float64 {
	w := m.w[int(x.id)*classes : int(x.id)*classes+classes]
	return float64(x.v) * (float64(w[classNeg]) - (float64(w[classNeu])+float64(w[classPos]))/2)
}

func softmax(z [classes]float64) [classes]float64 {
	top := math.Max(z[0], math.Max(z[1], z[2]))
	var p [classes]float64
	sum := 0.0
	for c := range z {
		p[c] = math.Exp(z[c] - top)
		sum += p[c]
	}
	for c := range p {
		p[c] /= sum
	}
	return p
}

var mathExp = math.Exp
