package negativity

import (
	"math"
	"math/rand/v2"
)

// Example is one labelled training text.
type Example struct {
	Text   string
	Lang   string // known language, or "" to detect it
	Label  Label
	Weight float64 // how much it counts (in-domain rows count more)
}

// TrainConfig sets the optimiser; the zero value is the shipped setting.
type TrainConfig struct {
	Epochs int     // passes over the data (default 5)
	Alpha  float64 // FTRL learning rate (default 0.1)
	Beta   float64 // FTRL learning-rate smoothing (default 1)
	L1     float64 // evidence a feature needs before it gets a weight (default 1)
	L2     float64 // shrinks every weight towards zero (default 1)
	Seed   uint64  // shuffle seed (default 1)
}

// Train fits the model: multinomial logistic regression, optimised with
// FTRL-Proximal over the hashed features.
//
// FTRL rather than plain AdaGrad because of what AdaGrad did here: its
// per-feature step is normalised by the feature's own gradients, so the
// first time a feature is seen it moves a full step whatever the
// gradient, and a word seen in two film subtitles ("belgium", "swiss",
// "сертификаты") ended up weighing as much as "terrible". FTRL keeps the
// per-feature rates but adds an L1 threshold: a feature's weight stays
// exactly zero until the gradients it has collected, net of those
// pointing the other way, exceed L1. A word must be seen often and
// consistently on one side before it counts; lexicon scores and complaint
// patterns, which are in many rows, pass at once. L2 then keeps the
// weights that do pass small.
//
// It is deterministic: the examples are visited in an order fixed by the
// seed, no map is iterated, and every floating-point step is rounded
// explicitly (no fused multiply-add, no math.Exp, whose assembly differs
// between CPUs), so the same data gives the same bytes on any machine.
func Train(examples []Example, lex map[string]map[string]float32, cfg TrainConfig) *Model {
	if cfg.Epochs == 0 {
		cfg.Epochs = 5
	}
	if cfg.Alpha == 0 {
		cfg.Alpha = 0.1
	}
	if cfg.Beta == 0 {
		cfg.Beta = 1
	}
	if cfg.L1 == 0 {
		cfg.L1 = 1
	}
	if cfg.L2 == 0 {
		cfg.L2 = 1
	}
	if cfg.Seed == 0 {
		cfg.Seed = 1
	}
	m := &Model{lex: lex, w: make([]float32, buckets*classes)}
	// Features once, flat: example i's are feats[start[i]:start[i+1]].
	var feats []feature
	start := make([]int, 0, len(examples)+1)
	var a analysis
	for _, ex := range examples {
		start = append(start, len(feats))
		m.analyse(ex.Text, ex.Lang, &a)
		feats = append(feats, a.feats...)
	}
	start = append(start, len(feats))

	// FTRL state per weight: z (gradients, less what the rate changes
	// gave back) and n (squared gradients); the weight follows from them.
	zs := make([]float64, buckets*classes)
	ns := make([]float64, buckets*classes)
	weight := func(k int) float64 {
		z := zs[k]
		if math.Abs(z) <= cfg.L1 {
			return 0
		}
		s := z - cfg.L1
		if z < 0 {
			s = z + cfg.L1
		}
		return -s / (float64((cfg.Beta+math.Sqrt(ns[k]))/cfg.Alpha) + cfg.L2)
	}
	var bias, gb [classes]float64
	order := make([]int, len(examples))
	for i := range order {
		order[i] = i
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x9e3779b97f4a7c15))
	w := make([]float64, 0, 256*classes)
	for range cfg.Epochs {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, i := range order {
			ex := &examples[i]
			f := feats[start[i]:start[i+1]]
			w = w[:0]
			z := bias
			for _, x := range f {
				for c := range classes {
					wk := weight(int(x.id)*classes + c)
					w = append(w, wk)
					z[c] = z[c] + float64(float64(x.v)*wk)
				}
			}
			p := detSoftmax(z)
			y := classOf(ex.Label)
			wt := ex.Weight
			if wt == 0 {
				wt = 1
			}
			for c := range classes {
				d := p[c]
				if c == y {
					d = d - 1
				}
				d = float64(d * wt)
				gb[c] = gb[c] + float64(d*d)
				bias[c] = bias[c] - float64(0.2*d)/math.Sqrt(gb[c]+1e-8)
				for j, x := range f {
					k := int(x.id)*classes + c
					g := float64(d * float64(x.v))
					n := ns[k] + float64(g*g)
					sigma := (math.Sqrt(n) - math.Sqrt(ns[k])) / cfg.Alpha
					zs[k] = zs[k] + g - float64(sigma*w[j*classes+c])
					ns[k] = n
				}
			}
		}
	}
	for k := range m.w {
		m.w[k] = float32(weight(k))
	}
	for c := range bias {
		m.bias[c] = float32(bias[c])
	}
	var emo []string
	m.langCount = countLangFeatures(examples, func(text string) []token { return tokenize(clean(text), &emo) })
	// What Classify uses is the quantised model; give the same back.
	q, _ := DecodeModel(m.Encode())
	return q
}

func classOf(l Label) int {
	switch l {
	case Negative:
		return classNeg
	case Positive:
		return classPos
	}
	return classNeu
}

// detSoftmax is softmax with a portable exp.
func detSoftmax(z [classes]float64) [classes]float64 {
	top := math.Max(z[0], math.Max(z[1], z[2]))
	var p [classes]float64
	sum := 0.0
	for c := range z {
		p[c] = detExp(z[c] - top)
		sum = sum + p[c]
	}
	for c := range p {
		p[c] = p[c] / sum
	}
	return p
}

// detExp is e^x for x ≤ 0, the same to the bit on every machine: x is
// split into k·ln2 + r with |r| ≤ ln2/2, e^r is a Taylor polynomial
// (error below 1e-16 there), and 2^k is exact.
func detExp(x float64) float64 {
	if x < -700 {
		return 0
	}
	k := math.Floor(float64(x/math.Ln2) + 0.5)
	r := x - float64(k*math.Ln2)
	sum, term := 1.0, 1.0
	for i := 1; i <= 18; i++ {
		term = float64(term*r) / float64(i)
		sum = sum + term
	}
	return math.Ldexp(sum, int(k))
}
