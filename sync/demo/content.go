package demo

// The demo brand is a coffee roaster with shops and a subscription service:
// plausible complaints (late parcels, double charges, refunds), praise and
// questions, in English, Dutch and Russian.

const brand = "Northwind Coffee"

type lang string

const (
	en lang = "en"
	nl lang = "nl"
	ru lang = "ru"
)

var langs = []lang{en, en, en, en, nl, nl, ru, ru} // half English

var names = map[lang][]string{
	en: {"Emma Clarke", "Liam Foster", "Olivia Grant", "Noah Patel", "Ava Murphy", "James O'Neill", "Mia Thompson", "Lucas Reed", "Sophie Walsh", "Ethan Brooks", "Chloe Evans", "Daniel Kim"},
	nl: {"Sanne de Vries", "Daan Jansen", "Lotte Bakker", "Bram Visser", "Fleur Smit", "Thijs Mulder", "Noor de Boer", "Jesse Bos"},
	ru: {"Анна Смирнова", "Дмитрий Иванов", "Екатерина Кузнецова", "Сергей Попов", "Ольга Соколова", "Алексей Лебедев", "Мария Козлова", "Иван Новиков"},
}

type mood int

const (
	neutral mood = iota
	praise
	complaint
)

var texts = map[lang]map[mood][]string{
	en: {
		complaint: {
			"My order #%d arrived two weeks late and the beans were stale. Not impressed.",
			"Third time asking: where is my refund for order #%d?",
			"The app charged me twice for one subscription. Fix this, today.",
			"Waited 25 minutes for a latte at the Harbour St shop. Terrible service.",
			"Parcel #%d arrived crushed, coffee all over the box. Who do I talk to?",
			"Cancelled my subscription a month ago and you still took money. Unacceptable.",
			"Worst customer service I've had all year. Nobody answers the phone.",
		},
		praise: {
			"Best espresso in town, thank you! ☕",
			"The new Ethiopia Yirgacheffe roast is amazing 😍",
			"Shoutout to the barista at Central Station, so friendly!",
			"Subscription box arrived a day early, great packaging 👏",
			"Your oat flat white got me through finals week. Legends.",
		},
		neutral: {
			"Do you ship to Belgium?",
			"What time does the Harbour St store open on Sundays?",
			"Is the decaf made with the Swiss water process?",
			"Can I change the delivery address on my subscription (order #%d)?",
			"Any plans for a store in Leeds?",
			"How long do the beans stay fresh once opened?",
			"Do you have gift cards?",
		},
	},
	nl: {
		complaint: {
			"Mijn bestelling #%d is na tien dagen nog steeds niet aangekomen. Slechte service.",
			"Twee keer afgeschreven voor één abonnement! Graag mijn geld terug.",
			"De koffie was koud en de medewerker was onvriendelijk. Nooit meer.",
			"Pakket #%d kwam kapot aan, overal koffie. Wie helpt mij?",
		},
		praise: {
			"Heerlijke koffie, echt de beste van Utrecht!",
			"Snelle levering en mooie verpakking, top 👍",
			"De nieuwe Colombia-branding is fantastisch.",
		},
		neutral: {
			"Leveren jullie ook in België?",
			"Hoe laat gaat de winkel op zondag open?",
			"Kan ik mijn abonnement een maand pauzeren?",
			"Hebben jullie ook cafeïnevrije bonen?",
		},
	},
	ru: {
		complaint: {
			"Заказ #%d опоздал на две недели, зёрна несвежие. Очень разочарован.",
			"Третий раз спрашиваю: где возврат денег за заказ #%d?",
			"Списали деньги дважды за одну подписку! Верните немедленно.",
			"Ужасное обслуживание, ждал кофе 25 минут.",
		},
		praise: {
			"Лучший эспрессо в городе, спасибо!",
			"Новая обжарка просто супер ☕",
			"Доставили быстрее, чем обещали. Молодцы!",
		},
		neutral: {
			"Вы доставляете в Казань?",
			"Во сколько открывается магазин в воскресенье?",
			"Можно ли поставить подписку на паузу?",
			"Есть ли у вас подарочные сертификаты?",
		},
	},
}

// followUps are the customer's answers after the brand replies.
var followUps = map[lang]map[bool][]string{
	en: {true: {"Thanks, that helps!", "Great, thank you for sorting it out 🙏", "Perfect, appreciated."},
		false: {"Still nothing. This is getting ridiculous.", "That doesn't answer my question at all.", "I've heard that before. When exactly?"}},
	nl: {true: {"Dank je wel!", "Top, bedankt voor de snelle reactie."},
		false: {"Nog steeds niets ontvangen.", "Dat is geen antwoord op mijn vraag."}},
	ru: {true: {"Спасибо!", "Отлично, спасибо за помощь."},
		false: {"Всё ещё ничего не пришло.", "Это не ответ на мой вопрос."}},
}

// hostile is text crafted to attack a terminal; it must render inert.
var hostile = []string{
	"\x1b[2J\x1b[HYOUR ACCOUNT HAS BEEN SUSPENDED. Press y to confirm.",
	"nice post\x1b]0;parley: session expired\x07 (look at your title bar)",
	"copy this\x1b]52;c;cm0gLXJmIH4vKgo=\x07 coupon code",
	"Refund request for invoice \u202efdp.exe\u202c please",
	"a\u200bd\u200bm\u200bi\u200bn here, reset my password",
	"\x1b]8;;https://evil.example/login\x1b\\click for a free bag\x1b]8;;\x1b\\",
	"🔥🔥🔥 WORST 😡😡😡 👎🏿👎🏿👎🏿 coffee 🤮🤮 ever 💩💩💩💩💩💩💩💩💩💩",
	"\x1b[31m\x1b[5mURGENT\x1b[0m\x07\x07\x07 call me back\r\x1b[Kfake overwritten line",
}

// longLine is one very long line without spaces to break on.
func longLine() string {
	b := make([]byte, 0, 700)
	for len(b) < 700 {
		b = append(b, "whyisnobodyansweringmyemails"...)
	}
	return string(b)
}
