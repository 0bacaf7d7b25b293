package main

import (
	"os"
	"path/filepath"

	"github.com/parleyhq/parley/sync/demo"
)

type demoOptions struct {
	rate     float64
	seed     uint64
	generate int
}

// demoAccounts are the four pretend networks, sharing the requested rate.
func demoAccounts(d demoOptions) []AccountConfig {
	var out []AccountConfig
	for _, f := range demo.Flavors {
		out = append(out, AccountConfig{Network: f.Network, Label: f.Label, Options: map[string]any{
			"seed": int64(d.seed), "rate": d.rate / float64(len(demo.Flavors)),
		}})
	}
	return out
}

var sampleReplies = map[string]string{
	"apology-delay.txt": "Hi {{first_name}}, we're really sorry your order is late. I've asked our warehouse to check it right now and will get back to you today. — {{me}}, Northwind Coffee",
	"refund.txt":        "Hi {{first_name}}, I've started your refund; it reaches your account within 5 working days. Sorry for the trouble! — {{me}}",
	"thanks.txt":        "Thank you so much, {{first_name}}! ☕ We'll pass it on to the team.",
	"dm-please.txt":     "Hi {{author}}, could you send us your order number in a private message so we can look into it? — {{me}}",
}

// demoReplies returns the user's saved replies directory if it exists, else
// a demo one filled with samples, so the picker has something to show.
func demoReplies(userDir, dataDir string) string {
	if st, err := os.Stat(userDir); err == nil && st.IsDir() {
		return userDir
	}
	dir := filepath.Join(dataDir, "demo-replies")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return userDir
	}
	for name, body := range sampleReplies {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); os.IsNotExist(err) {
			_ = os.WriteFile(p, []byte(body+"\n"), 0o600)
		}
	}
	return dir
}
