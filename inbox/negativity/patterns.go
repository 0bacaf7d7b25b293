package negativity

import (
	"strings"
	"unicode"
)

// Complaint patterns: how customers describe what went wrong without a
// single opinion word ("It stopped working after two days", "Не работает
// интернет"). Each is a feature the model weighs, shared by all languages
// through its kind, and its matched words are the reason shown.
//
// A pattern is slots separated by spaces. A slot lists alternatives with
// "|"; "x*" is a prefix; "*" is any one word; "~N" skips up to N words;
// "ADJ" is a describing word after "too"; a pattern does not reach over a
// clause end (. , ! ? ; :).
var complaintSpecs = map[string][][2]string{
	"en": {
		{"broken", "not|never|doesn't|doesnt|don't|dont|didn't|didnt|won't|wont|isn't|isnt|can't|cant|cannot|wasn't|stopped|stops|quit ~2 work*|function*|load*|start*|connect*|charg*|turn*|respond*|sync*|log*|boot*|open*"},
		{"broken", "crash*|freez*|froze|glitch*|buggy|faulty|defective"},
		{"missing", "not|never|hasn't|hasnt|haven't|havent|didn't|didnt|still ~2 arriv*|receiv*|deliver*|ship*|show*|came|come"},
		{"return", "refund*|chargeback"},
		{"return", "money back"},
		{"return", "send*|sent|return* ~2 back|it|them"},
		{"too", "too|way ADJ"},
		{"outage", "outage*|offline"},
		{"outage", "is|are|been|went|goes|keeps|still ~1 down"},
		{"outage", "no|without|lost|losing|dropped|drops ~1 signal|internet|service|connection|power|wifi|network|coverage|calls"},
		{"late", "late|delayed|delay|delays|overdue"},
		{"still", "still ~1 waiting|not|no|nothing|haven't|hasn't|didn't|broken"},
		{"wait", "for|since|over|after|waiting|waited * days|weeks|hours|months|minutes"},
		{"noanswer", "no ~1 answer|reply|response|replies|callback|update"},
		{"noanswer", "nobody|no-one|noone ~2 answer*|repl*|respond*|help*|call*|pick*"},
		{"noanswer", "never ~1 answer*|replied|responded|heard|called"},
		{"noanswer", "ignor*|hung"},
		{"churn", "never ~1 again"},
		{"churn", "cancel*|close ~2 subscription|account|contract|membership|plan"},
		{"churn", "switch*|moving|going ~1 to"},
		{"churn", "last time|unsubscrib*|done with"},
		{"billing", "charged|billed|debited ~2 twice|double|again|wrong"},
		{"billing", "double|twice ~1 charged|billed|payment"},
		{"billing", "overcharg*"},
		{"wrong", "wrong ~1 amount|charge|bill|invoice|item|size|order|product|colour|color|address"},
		{"described", "not as|what ~2 described|advertised|pictured|expected|ordered|promised"},
		{"damaged", "broken|damaged|cracked|torn|missing|leak*|scratched|smashed|dented|stained"},
		{"again", "again|yet another"},
	},
	"nl": {
		{"broken", "werkt|werken|werkte|doet|functioneert|laadt|start|opent|reageert ~3 niet|nooit|geen"},
		{"broken", "kapot|stuk|defect|vastgelopen|crasht|hapert"},
		{"missing", "niet|nooit|nog ~2 ontvangen|aangekomen|geleverd|bezorgd|binnen"},
		{"return", "terugbetal*|retour*|terugsturen|teruggestuurd|terugstorten|teruggestort"},
		{"return", "geld terug"},
		{"return", "terug ~1 gestuurd|sturen|gestort|betaald|betalen"},
		{"too", "te|veel ADJ"},
		{"outage", "storing*"},
		{"outage", "geen ~1 internet|bereik|verbinding|signaal|stroom|wifi|tv|netwerk"},
		{"outage", "ligt|liggen|lag|valt|vallen|viel ~2 eruit|plat|weg|uit"},
		{"late", "vertraag*|vertraging*"},
		{"late", "te laat"},
		{"still", "nog steeds|altijd ~2 niet|geen|niks|niets|wachten"},
		{"wait", "al|sinds|na ~1 * ~1 weken|dagen|uren|maanden|week|dag"},
		{"wait", "wacht|wachten|gewacht ~3 dagen|weken|uur|uren|maanden"},
		{"noanswer", "geen ~1 antwoord|reactie|reply|respons"},
		{"noanswer", "niemand ~2 neemt|reageert|belt|helpt|antwoordt"},
		{"noanswer", "nooit ~1 gereageerd|teruggebeld|antwoord"},
		{"churn", "nooit meer"},
		{"churn", "opzeggen|opgezegd|overstappen|overstap"},
		{"churn", "zeg ~3 op"},
		{"churn", "laatste keer"},
		{"billing", "dubbel|twee|teveel ~2 afgeschreven|betaald|gefactureerd|gerekend"},
		{"billing", "te veel ~1 betaald|afgeschreven|gerekend"},
		{"wrong", "verkeerde|verkeerd ~1 bedrag|factuur|maat|artikel|product|bestelling|adres|kleur"},
		{"described", "niet zoals ~1 beschreven|afgebeeld|beloofd|verwacht|besteld"},
		{"rude", "onbeschoft*|onbeleefd*|onvriendelijk*|grof|brutaal"},
		{"damaged", "beschadigd|gebroken|lekt|ontbreekt|ontbreken|mist|gescheurd|gebarsten"},
		{"again", "weer|alweer|opnieuw"},
	},
	"de": {
		{"broken", "funktioniert|funktionieren|funktionierte|geht|läuft|lädt|startet|klappt|tut|reagiert ~3 nicht|nie|kaum"},
		{"broken", "kaputt|defekt|abgestürzt|stürzt|hängt"},
		{"missing", "nicht|nie|noch ~2 angekommen|erhalten|geliefert|zugestellt|bekommen"},
		{"return", "zurückgeschickt|zurückschicken|zurückgesendet|rückerstattung*|erstattung*|retour*|umtausch*|reklamation*|reklamier*"},
		{"return", "geld zurück"},
		{"return", "zurück ~1 geschickt|schicken|gesendet|senden|überwiesen|erstattet"},
		{"too", "zu ADJ"},
		{"outage", "störung*|ausfall|ausgefallen|netzausfall"},
		{"outage", "kein|keine|keinen ~1 internet|netz|empfang|signal|strom|verbindung|wlan|tv"},
		{"late", "verspät*|verzöger*"},
		{"late", "zu spät"},
		{"still", "immer|noch ~1 noch|immer ~2 nicht|kein|keine|nichts"},
		{"wait", "seit|nach ~1 * ~1 tagen|wochen|stunden|monaten|tage|wochen"},
		{"wait", "warte|warten|gewartet ~3 tage|tagen|wochen|stunden|monate"},
		{"noanswer", "keine ~1 antwort|reaktion|rückmeldung|rückruf"},
		{"noanswer", "niemand ~2 antwortet|meldet|reagiert|hilft|ruft|geht"},
		{"noanswer", "nie ~1 geantwortet|zurückgerufen"},
		{"churn", "nie wieder"},
		{"churn", "kündig*|gekündigt"},
		{"churn", "wechsle|wechseln ~2 anbieter|zu"},
		{"churn", "letzte mal"},
		{"billing", "doppelt|zweimal|zuviel ~1 abgebucht|berechnet|bezahlt"},
		{"billing", "zu viel ~1 berechnet|abgebucht|bezahlt"},
		{"wrong", "falsche|falscher|falsches|falsch ~1 rechnung|betrag|größe|artikel|lieferung|farbe|adresse"},
		{"described", "nicht wie ~1 beschrieben|abgebildet|versprochen|bestellt|erwartet"},
		{"rude", "unfreundlich*|unverschämt*|frech*|respektlos*|unhöflich*"},
		{"damaged", "beschädigt|zerbrochen|gebrochen|fehlt|fehlen|undicht|zerkratzt"},
		{"again", "schon wieder|wieder|erneut"},
	},
	"fr": {
		{"broken", "ne|n' ~2 marche|marchent|fonctionne|fonctionnent|charge|démarre|s'allume|allume|répond|répondent|s'ouvre|ouvre|s'affiche"},
		{"broken", "marche|fonctionne|démarre|charge ~1 pas|plus|jamais|mal"},
		{"broken", "en panne"},
		{"broken", "bug*|planté|plante|hs"},
		{"missing", "pas|jamais|toujours ~2 reçu|livré|arrivé|arrivée|reçue"},
		{"return", "rembours*|renvoy*|renvoi|retourn*|retour|échang*"},
		{"too", "trop ADJ"},
		{"outage", "panne*|coupure*"},
		{"outage", "pas|plus|sans ~2 internet|réseau|connexion|signal|courant|électricité|wifi|tv|service"},
		{"late", "retard*"},
		{"still", "toujours ~2 pas|rien|aucun|aucune|attente"},
		{"wait", "depuis|après ~1 * ~1 jours|semaines|heures|mois|jour|semaine"},
		{"wait", "attend*|attends ~3 jours|semaines|heures|mois|depuis"},
		{"noanswer", "aucune|pas|sans ~2 réponse|retour|nouvelles|rappel"},
		{"noanswer", "personne ~2 répond|rappelle|aide|décroche"},
		{"churn", "plus jamais"},
		{"churn", "résili*|désabonn*"},
		{"churn", "changer ~2 opérateur|fournisseur|banque"},
		{"churn", "dernière fois"},
		{"billing", "débité|prélevé|facturé|payé|débitée ~2 deux|double|trop"},
		{"billing", "double ~1 prélèvement|facturation|débit"},
		{"wrong", "mauvais|mauvaise|erreur ~2 taille|article|produit|montant|facture|commande|adresse|couleur"},
		{"described", "pas ~1 conforme"},
		{"described", "ne|n' ~1 correspond ~1 pas"},
		{"described", "pas comme ~1 décrit|annoncé|prévu|promis"},
		{"rude", "impoli*|désagréable*|irrespectueu*|malpoli*|grossier*|odieu*"},
		{"damaged", "cassé|cassée|cassés|abîmé*|endommagé*|défectueu*|manquant*|manque|fissuré*|fuite|rayé*"},
		{"again", "encore|nouveau"},
	},
	"es": {
		{"broken", "no ~2 funciona|funcionan|funcionaba|sirve|sirven|anda|carga|enciende|arranca|abre|conecta|responde|responden|va"},
		{"broken", "dejó|dejo|deja ~1 de ~1 funcionar|andar|servir|cargar"},
		{"broken", "averiad*|estropead*|colgad*"},
		{"missing", "no|nunca|todavía|aún ~3 llegado|llega|llegó|recibido|recibí|entregado|entregaron"},
		{"return", "devol*|reembols*|devuelv*|reintegr*"},
		{"return", "dinero de vuelta"},
		{"too", "demasiado|demasiada ADJ"},
		{"outage", "sin ~1 internet|señal|servicio|luz|conexión|red|cobertura|wifi|línea"},
		{"outage", "caída|caído|caida|caido|corte|cortes"},
		{"outage", "se ~1 cae|cayó|corta|cortó"},
		{"late", "retras*|atras*|tarde"},
		{"still", "todavía|aún|aun|sigo|seguimos ~2 no|sin|esperando|nada"},
		{"wait", "hace|desde|tras ~2 días|semanas|horas|meses|día|semana"},
		{"wait", "esperando ~3 días|semanas|horas|meses"},
		{"noanswer", "nadie ~2 responde|contesta|atiende|ayuda|llama"},
		{"noanswer", "sin|ninguna|ni ~1 respuesta|solución"},
		{"noanswer", "no ~2 responden|contestan|atienden"},
		{"churn", "nunca más|mas"},
		{"churn", "de baja"},
		{"churn", "cancelar ~2 contrato|cuenta|suscripción|servicio"},
		{"churn", "cambio|cambiar|cambiaré|cambiarme ~2 compañía|operador|otra|otro"},
		{"churn", "última vez"},
		{"billing", "cobrado|cobraron|cobran|cobró|cobrais ~3 dos|doble|más|demás|mal"},
		{"billing", "dos cargos|cobros"},
		{"wrong", "equivocad*|incorrect*"},
		{"described", "no ~1 corresponde"},
		{"described", "no ~2 como ~1 en|anunciaban|describe|descrito|prometieron"},
		{"rude", "maleducad*|grosero*|grosera*|borde|prepotente*|irrespetuos*"},
		{"damaged", "roto|rota|rotos|rotas|dañad*|defectuos*|falta|faltan|rayad*|golpead*"},
		{"again", "otra vez|de nuevo"},
	},
	"ru": {
		{"broken", "не ~2 работает|работают|работал|работала|работало|грузит|грузится|загружается|включается|заряжается|открывается|запускается|подключается|ловит|печатает|показывает"},
		{"broken", "перестал*|перестает ~1 работать|грузить|заряжаться|включаться|ловить"},
		{"broken", "сломал*|слома*|глючит|виснет|зависает|вылетает|тормозит|лагает"},
		{"missing", "не ~2 пришел|пришла|пришло|доставили|привезли|получил*|дошл*|дошел"},
		{"return", "верн*|возврат*|компенсац*"},
		{"too", "слишком ADJ"},
		{"outage", "нет ~1 интернета|связи|сети|света|сигнала|инета|тв|воды"},
		{"outage", "пропал*|пропадает|отвалил*|отключ*|авари*|сбой*|упал|лежит"},
		{"late", "опозда*|задерж*|просроч*"},
		{"still", "до сих|сих ~1 пор ~2 не|нет|ничего"},
		{"still", "все ~1 еще ~2 не|нет"},
		{"still", "так и не"},
		{"wait", "уже|целый|третий|второй ~1 * ~1 дня|дней|день|недел*|час*|месяц*"},
		{"wait", "жду|ждем|ждал* ~3 дня|дней|недел*|час*|месяц*"},
		{"noanswer", "никто ~2 не ~1 отвеча*|перезвон*|помог*|звон*|бер*"},
		{"noanswer", "не ~1 отвечают|отвечает|перезвонили|ответили"},
		{"noanswer", "нет|без ~1 ответа"},
		{"churn", "больше ~2 не|никогда"},
		{"churn", "никогда ~1 больше"},
		{"churn", "отпишусь|отписываюсь|ухожу|уйду|расторг*"},
		{"churn", "перейду|переходим|перехожу ~2 к|на"},
		{"churn", "последний раз"},
		{"billing", "списали|списывают|сняли|сняла|снимают ~3 дважды|два|лишнее|лишние|снова|опять"},
		{"billing", "дважды ~1 списали|сняли"},
		{"wrong", "неправильн*|перепутал*"},
		{"described", "не ~1 соответству*"},
		{"rude", "хам*|нагруб*|груб*"},
		{"damaged", "сломан*|разбит*|поврежд*|бракован*|брак|треснул*"},
		{"again", "опять|снова|очередной"},
	},
}

type slot struct {
	exact  map[string]bool
	prefix []string
	any    bool // "*"
	adj    bool // "ADJ"
	gap    int  // "~N": skip up to N words
}

type pattern struct {
	kind  string
	slots []slot
}

type patternSet struct {
	byWord   map[string][]int // first slot's exact words
	byPrefix map[string][]int // first slot's prefixes, by their first two bytes
	list     []pattern
	lang     string
}

var patternSets = func() map[string]*patternSet {
	out := map[string]*patternSet{}
	for code, specs := range complaintSpecs {
		ps := &patternSet{byWord: map[string][]int{}, byPrefix: map[string][]int{}, lang: code}
		for _, sp := range specs {
			p := pattern{kind: sp[0]}
			for f := range strings.FieldsSeq(sp[1]) {
				var s slot
				switch {
				case f == "*":
					s.any = true
				case f == "ADJ":
					s.adj = true
				case strings.HasPrefix(f, "~"):
					s.gap = int(f[1] - '0')
				default:
					s.exact = map[string]bool{}
					for _, a := range strings.Split(f, "|") {
						if p, ok := strings.CutSuffix(a, "*"); ok {
							s.prefix = append(s.prefix, p)
						} else {
							s.exact[a] = true
						}
					}
				}
				p.slots = append(p.slots, s)
			}
			i := len(ps.list)
			ps.list = append(ps.list, p)
			first := p.slots[0]
			if first.any || first.adj || first.gap > 0 {
				panic("negativity: a pattern must start with words: " + sp[1])
			}
			for w := range first.exact {
				ps.byWord[w] = append(ps.byWord[w], i)
			}
			for _, pre := range first.prefix {
				if len(pre) < 2 {
					panic("negativity: pattern prefix too short: " + pre)
				}
				ps.byPrefix[pre[:2]] = append(ps.byPrefix[pre[:2]], i)
			}
		}
		out[code] = ps
	}
	return out
}()

func (s *slot) accepts(t token, lang string) bool {
	switch {
	case s.any:
		return true
	case s.adj:
		return describing(t.text, lang)
	}
	if s.exact[t.text] {
		return true
	}
	for _, p := range s.prefix {
		if strings.HasPrefix(t.text, p) {
			return true
		}
	}
	return false
}

// describing: a word that can follow "too" as the thing there is too much
// of: not a stop word, not an infinitive ("te krijgen", "zu bekommen"),
// not praise ("trop bien").
func describing(w, lang string) bool {
	if len(w) < 3 || tooNot[w] || !unicode.IsLetter(rune(w[0])) && w[0] < 0x80 {
		return false
	}
	for i, code := range langOrder[:5] {
		if code == lang && stopSets[i][w] {
			return false
		}
	}
	if (lang == "nl" || lang == "de") && strings.HasSuffix(w, "en") {
		return false
	}
	return true
}

var tooNot = map[string]bool{
	"much": true, "many": true, "bad": true, "late": false, "bien": true, "bon": true, "bonne": true, "beau": true,
	"belle": true, "cool": true, "top": true, "mignon": true, "mignonne": true, "drôle": true, "génial": true,
	"fort": true, "hâte": true, "hause": true, "ende": true, "dem": true, "der": true, "mir": true, "dir": true,
	"uns": true, "euch": true, "tun": true, "sein": true, "veel": true, "weinig": true,
}

// match tries pattern p at token i and returns the index after the match.
func (ps *patternSet) match(p *pattern, toks []token, i int) (int, bool) {
	if !p.slots[0].accepts(toks[i], ps.lang) {
		return 0, false
	}
	return ps.rest(p.slots[1:], toks, i+1, toks[i].end)
}

func (ps *patternSet) rest(slots []slot, toks []token, i int, ended bool) (int, bool) {
	if len(slots) == 0 {
		return i, true
	}
	if ended || i >= len(toks) {
		return 0, false
	}
	s := &slots[0]
	if s.gap > 0 {
		for k := 0; k <= s.gap && i+k <= len(toks); k++ {
			if k > 0 && toks[i+k-1].end {
				break
			}
			if j, ok := ps.rest(slots[1:], toks, i+k, false); ok {
				return j, true
			}
		}
		return 0, false
	}
	if !s.accepts(toks[i], ps.lang) {
		return 0, false
	}
	return ps.rest(slots[1:], toks, i+1, toks[i].end)
}

// patternHit is one matched complaint pattern: its kind and the words.
type patternHit struct {
	kind     string
	from, to int // token range
}

// complaints finds the complaint patterns in a token stream, each kind
// once (the first match).
func complaints(lang string, toks []token, out []patternHit) []patternHit {
	ps := patternSets[lang]
	if ps == nil {
		return out
	}
	seen := func(kind string) bool {
		for _, h := range out {
			if h.kind == kind {
				return true
			}
		}
		return false
	}
	try := func(idx []int, i int) {
		for _, pi := range idx {
			p := &ps.list[pi]
			if seen(p.kind) {
				continue
			}
			if j, ok := ps.match(p, toks, i); ok {
				out = append(out, patternHit{kind: p.kind, from: i, to: j})
			}
		}
	}
	for i, t := range toks {
		try(ps.byWord[t.text], i)
		if len(t.text) >= 2 {
			try(ps.byPrefix[t.text[:2]], i)
		}
	}
	// An order or ticket number with something wrong is a complaint about
	// that order.
	if len(out) > 0 {
		for i, t := range toks {
			if digits(t.text) >= 5 {
				out = append(out, patternHit{kind: "order", from: i, to: i + 1})
				break
			}
		}
	}
	return out
}

func digits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			n++
		}
	}
	return n
}
