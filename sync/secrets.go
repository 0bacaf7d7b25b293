package sync

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	gosync "sync"
	"time"
)

// TokenSource builds an account's token source from its options, whichever
// one is given: token_file (a file of its own, mode 0600, refused if group
// or world can read it), token_env (an environment variable), or token_cmd
// (a command whose output is the token, e.g. a password manager). The token
// is read when first needed and kept in memory only.
func TokenSource(label string, opts map[string]any) (func(context.Context) (string, error), error) {
	file, _ := opts["token_file"].(string)
	env, _ := opts["token_env"].(string)
	cmd, _ := opts["token_cmd"].(string)
	n := 0
	for _, s := range []string{file, env, cmd} {
		if s != "" {
			n++
		}
	}
	switch {
	case n == 0:
		return nil, fmt.Errorf("account %q: no token: set token_file, token_env or token_cmd (parley connect does this for you)", label)
	case n > 1:
		return nil, fmt.Errorf("account %q: set only one of token_file, token_env, token_cmd", label)
	}
	var mu gosync.Mutex
	var cached string
	read := func(ctx context.Context) (string, error) {
		switch {
		case file != "":
			return ReadSecretFile(file)
		case env != "":
			v := strings.TrimSpace(os.Getenv(env))
			if v == "" {
				return "", fmt.Errorf("account %q: environment variable %s is empty or unset", label, env)
			}
			return v, nil
		}
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		var out, errb bytes.Buffer
		c := exec.CommandContext(ctx, "sh", "-c", cmd)
		c.Stdout, c.Stderr = &out, &errb
		if err := c.Run(); err != nil {
			// The command's stderr may be useful; its stdout would be the secret.
			return "", fmt.Errorf("account %q: token_cmd failed: %v: %s", label, err, Truncate(strings.TrimSpace(errb.String()), 200))
		}
		v := strings.TrimSpace(out.String())
		if v == "" {
			return "", fmt.Errorf("account %q: token_cmd printed nothing", label)
		}
		return v, nil
	}
	return func(ctx context.Context) (string, error) {
		mu.Lock()
		defer mu.Unlock()
		if cached != "" {
			return cached, nil
		}
		v, err := read(ctx)
		if err == nil {
			cached = v
		}
		return v, err
	}, nil
}

// ReadSecretFile reads a token file, refusing one that others can read.
func ReadSecretFile(path string) (string, error) {
	path = expandHome(path)
	st, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("token file: %w", err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return "", fmt.Errorf("token file %s is readable by others (mode %04o); fix it with: chmod 600 %s", path, st.Mode().Perm(), path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("token file: %w", err)
	}
	v := strings.TrimSpace(string(b))
	if v == "" {
		return "", fmt.Errorf("token file %s is empty", path)
	}
	return v, nil
}

// WriteSecretFile stores a secret in a file of its own, mode 0600, in a
// directory only the user can enter.
func WriteSecretFile(path, secret string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(secret+"\n"), 0o600); err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func expandHome(p string) string {
	if strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, p[2:])
		}
	}
	return p
}
