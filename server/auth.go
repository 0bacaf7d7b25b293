package server

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"slices"
	"strings"

	gossh "golang.org/x/crypto/ssh"
)

// allowed is one line of the allow-list: a key and the manager it belongs to.
type allowed struct {
	key  gossh.PublicKey
	name string
	// guessed: nobody chose the name — no [serve] names entry and the
	// key's comment is missing or ssh-keygen's default user@host.
	guessed bool
}

// readAllowList parses an authorized_keys file. The key's comment names the
// manager unless names (fingerprint → name, from the config) says otherwise.
// Options on a line are ignored; a malformed line is an error naming it.
func readAllowList(path string, names map[string]string) ([]allowed, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("allowed keys: %w (create it in authorized_keys format: one public key per line, the comment is the manager's name)", err)
	}
	var out []allowed
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, comment, _, _, err := gossh.ParseAuthorizedKey([]byte(line))
		if err != nil {
			return nil, fmt.Errorf("%s:%d: not a public key: %v", path, n, err)
		}
		name := names[gossh.FingerprintSHA256(key)]
		guessed := false
		if name == "" {
			name = strings.TrimSpace(comment)
			guessed = defaultComment(name)
		}
		if name == "" {
			name, guessed = "manager-"+gossh.FingerprintSHA256(key)[7:15], true
		}
		out = append(out, allowed{key: key, name: name, guessed: guessed})
	}
	return out, sc.Err()
}

// defaultComment: ssh-keygen's own comment, user@host, which names a
// machine account rather than the manager the team knows.
func defaultComment(c string) bool {
	user, host, ok := strings.Cut(c, "@")
	return ok && user != "" && host != "" && !strings.ContainsAny(c, " \t") && !strings.Contains(host, "@")
}

// lookup returns the allow-list entry of a key.
func lookup(list []allowed, key gossh.PublicKey) (allowed, bool) {
	kb := key.Marshal()
	for _, a := range list {
		if bytes.Equal(a.key.Marshal(), kb) {
			return a, true
		}
	}
	return allowed{}, false
}

// Managers lists the names on the allow-list, in file order, once each:
// who a conversation can be assigned to. An unreadable list gives none.
func Managers(path string, names map[string]string) []string {
	list, err := readAllowList(path, names)
	if err != nil {
		return nil
	}
	var out []string
	for _, a := range list {
		if !slices.Contains(out, a.name) {
			out = append(out, a.name)
		}
	}
	return out
}
