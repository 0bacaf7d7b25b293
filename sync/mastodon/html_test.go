package mastodon

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/inbox/sanitize"
)

func TestHTMLToText(t *testing.T) {
	cases := map[string]string{
		"plain":                                  "plain",
		"<p>one</p><p>two</p>":                   "one\n\ntwo",
		"<p>a<br>b<br/>c</p>":                    "a\nb\nc",
		"<p>Tom &amp; Jerry &lt;3 &#128512;</p>": "Tom & Jerry <3 😀",
		`<p><span class="h-card"><a href="https://m.example/@acme" class="u-url mention">@<span>acme</span></a></span> hi</p>`:                                                 "@acme hi",
		`<p>see <a href="https://example.com/a/very/long/path" rel="nofollow"><span class="invisible">https://</span><span class="ellipsis">example.com/a/very</span></a></p>`: "see https://example.com/a/very/long/path",
		`<p><a href="https://m.example/tags/coffee" class="mention hashtag">#<span>coffee</span></a> time</p>`:                                                                 "#coffee time",
		`<p>x</p><script>alert(1)</script>`:                  "x",
		`<blockquote><p>quoted</p></blockquote><p>reply</p>`: "quoted\n\nreply",
		`<ul><li>a</li><li>b</li></ul>`:                      "a\nb",
		"<p>unclosed <b>bold":                                "unclosed bold",
	}
	for in, want := range cases {
		if got := htmlToText(in); got != want {
			t.Errorf("htmlToText(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzStatusDecoding feeds arbitrary bytes through the notification
// decoder and the conversion to inbox items: nothing panics, and what comes
// out is inert once sanitised like every ingest.
func FuzzStatusDecoding(f *testing.F) {
	f.Add([]byte(`[{"id":"1","type":"mention","created_at":"2025-03-01T07:49:02.064Z","account":{"id":"9","acct":"z"},"status":{"id":"2","created_at":"2025-03-01T07:49:01.940Z","visibility":"direct","content":"<p>@acme is my refund processed?</p>","account":{"id":"9","acct":"z"},"mentions":[{"id":"1","acct":"acme"}]}}]`))
	f.Add([]byte(`[{"id":"3","type":"mention","status":{"id":"4","content":"<p>\u001b]0;x\u0007<a href=\"javascript:alert(1)\">y</a></p>","visibility":"public","spoiler_text":"\u202e"}}]`))
	f.Add([]byte(`{"not":"a list"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var ns []notification
		if json.Unmarshal(data, &ns) != nil {
			return
		}
		for _, n := range ns {
			if n.Status == nil || n.Status.replyTo() != "" || n.Status.EditedAt != nil {
				continue // replies and edits need the network for their context and history
			}
			b := inbox.Batch{}
			c := &Connector{places: map[string]place{}, known: map[string]status{}, histOK: map[string]bool{}}
			if err := c.add(context.Background(), &threadBatch{Batch: &b, me: "1", posts: map[string]bool{}}, *n.Status, false); err != nil {
				t.Fatal(err)
			}
			inbox.CleanBatch(&b)
			for _, it := range b.Items {
				if strings.ContainsAny(it.Message.Text, "\x1b\a\u202e") || strings.ContainsAny(it.Message.Author.Name, "\x1b\n") {
					t.Fatalf("not inert: %q", it.Message.Text)
				}
			}
		}
	})
}

func FuzzHTMLToText(f *testing.F) {
	for _, s := range []string{"<p>a</p>", "<a href='x'>y</a>", "<br><br>", "&amp;&#0;&#x1b;", "<p><p><p>", "<a class=mention>@x</a>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := sanitize.Text(htmlToText(s))
		if strings.ContainsAny(out, "\x1b\a\r") {
			t.Fatalf("htmlToText(%q) → %q not inert after sanitising", s, out)
		}
	})
}
