package mastodon

import (
	"strings"

	"golang.org/x/net/html"
)

// htmlToText turns a status body into plain text with a real HTML parser:
// paragraphs and <br> become line breaks, links keep their target (the
// visible text of a Mastodon link is shortened), mentions and hashtags keep
// their text, everything else is dropped. The result is sanitised later,
// like all remote text.
func htmlToText(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return strings.TrimSpace(s)
	}
	root, err := html.Parse(strings.NewReader("<div>" + s + "</div>"))
	if err != nil {
		return strings.TrimSpace(s)
	}
	var b strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			b.WriteString(n.Data)
			return
		case html.ElementNode:
			switch n.Data {
			case "br":
				b.WriteString("\n")
				return
			case "script", "style":
				return
			case "a":
				href, class := attr(n, "href"), attr(n, "class")
				text := nodeText(n)
				isTag := strings.Contains(class, "mention") || strings.Contains(class, "hashtag") ||
					strings.HasPrefix(text, "@") || strings.HasPrefix(text, "#")
				switch {
				case isTag || href == "":
					b.WriteString(text)
				case strings.HasPrefix(href, "http://") || strings.HasPrefix(href, "https://"):
					b.WriteString(href)
				default:
					b.WriteString(text)
				}
				return
			case "p", "div", "blockquote", "li", "ul", "ol", "pre":
				if b.Len() > 0 && !strings.HasSuffix(b.String(), "\n") {
					b.WriteString("\n")
				}
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					walk(c)
				}
				if n.Data == "p" || n.Data == "blockquote" || n.Data == "pre" {
					b.WriteString("\n\n")
				} else {
					b.WriteString("\n")
				}
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	// Collapse the blank lines block elements leave behind.
	lines := strings.Split(b.String(), "\n")
	out := make([]string, 0, len(lines))
	blank := 0
	for _, l := range lines {
		l = strings.TrimRight(l, " \t")
		if strings.TrimSpace(l) == "" {
			blank++
			if blank > 1 {
				continue
			}
		} else {
			blank = 0
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func nodeText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}
