package negativity

// Whose experience a message is about. A tweet that says "crisis",
// "crash" or "murder" is most often news, a film or a match report told
// by nobody in particular; a complaint is told by someone it happened to
// ("my order", "I waited") or to someone ("your app", "ihr habt").
// Lexicon words are therefore also counted apart when the message has no
// first- or second-person word at all, so the model can learn how much a
// negative word says when no one in the message is its target. And
// laughter ("haha", "ptdr", "ахах", 😂) turns "I'm dead", "ik ga kapot",
// "je suis mort" into delight, so a negative word in a laughing message
// is counted apart too.

const (
	personFirst  = 1
	personSecond = 2
)

var personLists = map[string][2][]string{ // first person, second person
	"en": {{"i", "i'm", "im", "i've", "ive", "i'd", "i'll", "me", "my", "mine", "myself", "we", "we're", "we've", "us", "our", "ours"},
		{"you", "you're", "youre", "you've", "your", "yours", "u", "ur", "ya", "y'all"}},
	"nl": {{"ik", "me", "mij", "mijn", "m'n", "we", "wij", "ons", "onze"},
		{"je", "jij", "jou", "jouw", "jullie", "u", "uw"}},
	"de": {{"ich", "mich", "mir", "mein", "meine", "meinen", "meinem", "meiner", "meines", "wir", "uns", "unser", "unsere", "unseren", "unserem", "hab", "bin"},
		{"du", "dich", "dir", "dein", "deine", "deinen", "deinem", "ihr", "euch", "euer", "eure", "euren", "eurem", "sie"}},
	"fr": {{"je", "j'", "j", "me", "m'", "moi", "mon", "ma", "mes", "nous", "notre", "nos", "on"},
		{"tu", "te", "t'", "toi", "ton", "ta", "tes", "vous", "votre", "vos"}},
	"es": {{"yo", "me", "mi", "mis", "conmigo", "nosotros", "nosotras", "nos", "nuestro", "nuestra", "nuestros", "nuestras", "estoy", "tengo", "llevo"},
		{"tú", "tu", "tus", "te", "ti", "contigo", "usted", "ustedes", "vosotros", "vosotras", "os", "vuestro", "vuestra", "vuestros", "vuestras"}},
	"ru": {{"я", "меня", "мне", "мной", "мой", "моя", "мое", "мои", "моего", "моей", "моих", "мы", "нас", "нам", "наш", "наша", "наше", "наши", "нашего", "нашей", "нашу"},
		{"ты", "тебя", "тебе", "твой", "твоя", "твое", "твои", "вы", "вас", "вам", "ваш", "ваша", "ваше", "ваши", "вашего", "вашей", "вашу"}},
}

// markReport is a reporting word's bit in lang.marks, markNegator a
// negator's, markFunction a function word's.
const (
	markReport   = 4
	markNegator  = 8
	markFunction = 16 // functionwords.go
)

// stanceMarks are the person and reporting words of a language, as the
// bits of lang.marks: analyse reads them with the negators in the one map
// lookup per word it already made.
func stanceMarks(code string) map[string]uint8 {
	m := map[string]uint8{}
	for k, list := range personLists[code] {
		for _, w := range list {
			m[w] |= uint8(k + 1)
		}
	}
	for _, w := range reportWords[code] {
		m[w] |= markReport
	}
	for _, w := range functionWords[code] {
		m[w] |= markFunction
	}
	return m
}

// laughingFace says whether 😂 or 🤣 is among the emoji (laughter words
// are told by laughter, in analyse's negation pass).
func laughingFace(emojis []string) bool {
	for _, e := range emojis {
		if e == "😂" || e == "🤣" {
			return true
		}
	}
	return false
}

// reportWords mark reported news ("police say", "selon la police", "laut
// Bericht", "сообщает ГИБДД"): the speaker passes on what others said or
// found, and a negative word in it ("crash", "crise") is the story's, not a
// complaint.
var reportWords = map[string][]string{
	"en": {"say", "says", "said", "according", "reports", "reported", "announced", "announces", "confirms", "confirmed", "breaking", "update", "live"},
	"nl": {"zegt", "zei", "volgens", "meldt", "meldde", "bevestigt", "aangekondigd", "live", "update"},
	"de": {"sagt", "sagte", "laut", "meldet", "berichtet", "bestätigt", "angekündigt", "teilte", "live", "eilmeldung"},
	"fr": {"selon", "affirme", "annonce", "annoncé", "confirme", "indique", "déclare", "direct", "info"},
	"es": {"según", "informa", "anuncia", "anunció", "confirma", "confirmó", "afirma", "declaró", "directo"},
	"ru": {"сообщает", "сообщил", "сообщила", "заявил", "заявила", "данным", "объявили", "подтвердил", "онлайн", "срочно"},
}
