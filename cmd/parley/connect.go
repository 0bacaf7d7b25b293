package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	psync "github.com/parleyhq/parley/sync"
)

// `parley connect NETWORK` is one flow that every network plugs into:
//
//  1. the token: --token-file F (refused if others can read it), --token-env
//     VAR, or a paste after the connector's prompt — one reader for all
//     (a connector with its own sign-in, such as Mastodon's OAuth code,
//     sets signIn and is called instead of the paste);
//  2. the connector's verify asks the network who the token belongs to and
//     returns the account(s) to save;
//  3. for each account: if the config already has it (same network and
//     label, same values of its key options, or the same secret file), it is
//     re-authorised in place — the token is replaced, its options, label and
//     history are kept, no second [[account]]; otherwise an [[account]]
//     table is appended, leaving the rest of the file as the user wrote it;
//  4. a token the user did not already keep in a file or variable is saved
//     in ~/.config/parley/secrets/NETWORK-ID.token, mode 0600, and the
//     config points at it. Tokens are never printed.
//
// A network adds its connect command with one small file in cmd/parley:
//
//	func init() {
//		registerConnector(connector{
//			network: "vk",
//			short:   "connect a VK community (community token)",
//			prompt:  "Paste a VK community access token: ",
//			flags: func(fs *pflag.FlagSet) {
//				fs.String("group", "", "the community id (default: the token's)")
//			},
//			verify: func(ctx context.Context, r *connectRun) ([]connected, error) {
//				g, err := vk.WhoAmI(ctx, r.Token, r.String("group"))
//				if err != nil {
//					return nil, err
//				}
//				return []connected{{ID: g.ID, Label: g.Name + " (VK)", Token: r.Token,
//					Options: map[string]any{"group_id": g.ID}, Key: []string{"group_id"}}}, nil
//			},
//		})
//	}
//
// The flow adds --token-file, --token-env, --label and the global flags
// itself; verify only talks to the network.
type connector struct {
	network string // registry name, as in [[account]] network = "…"
	args    string // positional arguments for the usage line, e.g. "SERVER"
	nargs   int    // how many of them are required
	example string // a typical command line
	short   string // one line for `parley --help`
	long    string // more for `parley connect NETWORK --help`
	prompt  string // what to paste when no --token-file/--token-env is given
	// flags declares the network's own flags; verify reads them from
	// connectRun.Flags.
	flags func(fs *pflag.FlagSet)
	// signIn, when set, replaces the paste: it obtains a token itself.
	signIn func(ctx context.Context, r *connectRun) (string, error)
	// verify checks the token against the network and says what to save.
	verify func(ctx context.Context, r *connectRun) ([]connected, error)
}

// connectRun is what a connector's signIn and verify get.
type connectRun struct {
	Args  []string       // positional arguments
	Flags *pflag.FlagSet // the command's flags, the connector's own included
	Token string         // from --token-file, --token-env, the paste or signIn
	In    *bufio.Reader  // the terminal, for questions (which Page?)
	Out   io.Writer      // for what the user should know (missing permissions)
}

// String is the value of one of the command's string flags.
func (r *connectRun) String(name string) string { v, _ := r.Flags.GetString(name); return v }

// Bool is the value of one of the command's bool flags.
func (r *connectRun) Bool(name string) bool { v, _ := r.Flags.GetBool(name); return v }

// connected is one account a connect adds or re-authorises.
type connected struct {
	Network string         // default: the connector's (facebook --instagram adds an instagram one)
	ID      string         // who the token belongs to on the network (Page id, user@server): names the secret file
	Label   string         // its name in parley when it is new (--label overrides the first one)
	Options map[string]any // the network's options, without the token's
	Key     []string       // options whose values identify the remote account
	Token   string         // the token it syncs with
	Secret  string         // secret file name, default NETWORK-ID (accounts sharing a token share it)
	Done    string         // what to say once saved, after "Connected LABEL."
}

var connectors = map[string]connector{}

// registerConnector makes `parley connect NETWORK` available; called from
// init in the network's connect_*.go file.
func registerConnector(c connector) {
	if _, dup := connectors[c.network]; dup {
		panic("connect: network registered twice: " + c.network)
	}
	connectors[c.network] = c
}

func connectorNames() []string {
	var out []string
	for n := range connectors {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// connectFlags adds the flags every connect command has.
func connectFlags(fs *pflag.FlagSet) {
	fs.String("token-file", "", "read the token from this file (mode 0600; parley keeps pointing at it)")
	fs.String("token-env", "", "read the token from this environment variable (parley keeps reading it)")
	fs.String("label", "", "name of the account in parley (default: the network's name for it)")
}

// runConnector is the shared flow described above.
func runConnector(ctx context.Context, cn connector, c *common, fs *pflag.FlagSet, args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) < cn.nargs {
		return fmt.Errorf("connect %s: give the %s, e.g. %s", cn.network, strings.ToLower(cn.args), cn.example)
	}
	if err := c.load("parley.db"); err != nil {
		return err
	}
	r := &connectRun{Args: args, Flags: fs, In: bufio.NewReader(stdin), Out: stdout}
	file, _ := fs.GetString("token-file")
	env, _ := fs.GetString("token-env")
	if file != "" && env != "" {
		return errors.New("give either --token-file or --token-env, not both")
	}
	if file != "" {
		abs, err := filepath.Abs(file)
		if err != nil {
			return err
		}
		file = abs
	}
	var err error
	if cn.signIn != nil && file == "" && env == "" {
		r.Token, err = cn.signIn(ctx, r)
	} else {
		r.Token, err = tokenFrom(file, env, cn.prompt, r.In, stdout)
	}
	if err != nil {
		return err
	}
	accs, err := cn.verify(ctx, r)
	if err != nil {
		return err
	}
	if label, _ := fs.GetString("label"); label != "" && len(accs) > 0 {
		accs[0].Label = label
	}
	for _, a := range accs {
		if a.Network == "" {
			a.Network = cn.network
		}
		// The user's own file or variable stays the source when the account
		// syncs with the very token read from it.
		var src map[string]any
		switch {
		case a.Token == r.Token && file != "":
			src = map[string]any{"token_file": file}
		case a.Token == r.Token && env != "":
			src = map[string]any{"token_env": env}
		}
		if err := saveConnected(c, a, src, stdout); err != nil {
			return err
		}
	}
	return nil
}

var tokenKeys = []string{"token_file", "token_env", "token_cmd"}

// saveConnected writes one verified account: its secret (unless src names
// the user's own token source) and its [[account]] — appended when new,
// re-authorised in place when the config already has it.
func saveConnected(c *common, a connected, src map[string]any, out io.Writer) error {
	name := a.Secret
	if name == "" {
		name = a.Network + "-" + a.ID
	}
	secret := filepath.Join(c.paths.ConfigDir, "secrets", safeName(name)+".token")
	if src == nil {
		if err := psync.WriteSecretFile(secret, a.Token); err != nil {
			return fmt.Errorf("saving the token: %w", err)
		}
		src = map[string]any{"token_file": secret}
	}
	existing := findConnected(c.cfg.Accounts, a, secret)
	if existing == nil {
		opts := map[string]any{}
		for k, v := range a.Options {
			opts[k] = v
		}
		for k, v := range src {
			opts[k] = v
		}
		if err := appendAccount(c.cfg.path, AccountConfig{Network: a.Network, Label: a.Label, Options: opts}); err != nil {
			return err
		}
		c.cfg.Accounts = append(c.cfg.Accounts, AccountConfig{Network: a.Network, Label: a.Label, Options: opts})
		fmt.Fprintf(out, "Connected %q (saved in %s). %s\n", a.Label, c.cfg.path, a.Done)
		return nil
	}
	same := true
	for _, k := range tokenKeys {
		if existing.Options[k] != src[k] {
			same = false
		}
	}
	if !same {
		opts := map[string]any{}
		for k, v := range existing.Options {
			if !slices.Contains(tokenKeys, k) {
				opts[k] = v
			}
		}
		for k, v := range src {
			opts[k] = v
		}
		if err := rewriteAccount(c.cfg.path, existing.Label, AccountConfig{Network: existing.Network, Label: existing.Label, Options: opts}); err != nil {
			return err
		}
		existing.Options = opts
	}
	fmt.Fprintf(out, "Re-authorised %q: new token saved; its options and history are kept.\n", existing.Label)
	return nil
}

// findConnected is the config's account that a is, if any: the same network
// and label, the same values of a's key options, or the same secret file.
func findConnected(accs []AccountConfig, a connected, secret string) *AccountConfig {
	for i := range accs {
		e := &accs[i]
		if e.Network != a.Network {
			continue
		}
		if e.Label == a.Label || e.Options["token_file"] == secret {
			return e
		}
		if len(a.Key) > 0 {
			match := true
			for _, k := range a.Key {
				if fmt.Sprint(e.Options[k]) != fmt.Sprint(a.Options[k]) {
					match = false
				}
			}
			if match {
				return e
			}
		}
	}
	return nil
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._@-]+`)

func safeName(s string) string { return unsafeChars.ReplaceAllString(s, "_") }

// tokenFrom reads a token from --token-file (refused if others can read
// it) or --token-env, or else asks for it to be pasted.
func tokenFrom(file, env, prompt string, in *bufio.Reader, out io.Writer) (string, error) {
	switch {
	case file != "":
		return psync.ReadSecretFile(file)
	case env != "":
		tok := strings.TrimSpace(os.Getenv(env))
		if tok == "" {
			return "", fmt.Errorf("environment variable %s is empty or unset", env)
		}
		return tok, nil
	}
	fmt.Fprint(out, prompt)
	line, _ := in.ReadString('\n')
	tok := strings.TrimSpace(line)
	if tok == "" {
		return "", errors.New("no token given")
	}
	return tok, nil
}

// connectCmd is `parley connect NETWORK`, one subcommand per registered
// connector, all running runConnector.
func connectCmd(c *common) *cobra.Command {
	cmd := group(&cobra.Command{Use: "connect", Short: "connect an account: " + strings.Join(connectorNames(), ", ")})
	for _, name := range connectorNames() {
		cn := connectors[name]
		use := cn.network
		if cn.args != "" {
			use += " " + cn.args
		}
		sc := &cobra.Command{Use: use, Short: cn.short, Long: strings.TrimSpace(cn.short + ".\n\n" + cn.long), Example: "  " + cn.example,
			Args: cobra.MaximumNArgs(max(cn.nargs, 0)),
			RunE: func(cmd *cobra.Command, args []string) error {
				return runConnector(cmd.Context(), cn, c, cmd.Flags(), args, cmd.InOrStdin(), cmd.OutOrStdout())
			}}
		connectFlags(sc.Flags())
		if cn.flags != nil {
			cn.flags(sc.Flags())
		}
		cmd.AddCommand(sc)
	}
	return cmd
}

// runConnect runs `parley connect ARGS…` (tests use it).
func runConnect(args []string, stdin io.Reader, stdout io.Writer) error {
	return runWith(append([]string{"connect"}, args...), stdin, stdout, stdout)
}
