package googleauth

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// SignIn obtains a refresh token the way Google allows for an installed
// app: a browser sign-in that returns to a loopback address. The device
// flow is not offered: Google limits it to a short list of scopes that has
// neither youtube.force-ssl nor business.manage ("Invalid device flow
// scope"), and the out-of-band copy-the-code page was retired in 2022.
//
// It works over SSH too: parley listens on 127.0.0.1 of the machine it
// runs on, so a browser on that machine completes on its own; a browser
// elsewhere ends on a page that cannot load, whose address (it carries
// the code) the manager pastes back. Whichever comes first is used.
type SignIn struct {
	Config *oauth2.Config // client and scope; RedirectURL is set here
	In     *bufio.Reader  // where a pasted address is read
	Out    io.Writer      // what the manager reads
	// Timeout bounds the wait for the browser (default 10 minutes).
	Timeout time.Duration
}

// Run does the sign-in and returns the token, refresh token included.
func (s SignIn) Run(ctx context.Context) (*oauth2.Token, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listening on 127.0.0.1 for Google's answer: %w", err)
	}
	defer ln.Close()
	cfg := *s.Config
	cfg.RedirectURL = "http://" + ln.Addr().String() + "/"
	state := randomString()
	verifier := oauth2.GenerateVerifier()
	link := cfg.AuthCodeURL(state, oauth2.AccessTypeOffline, oauth2.SetAuthURLParam("prompt", "consent"),
		oauth2.S256ChallengeOption(verifier))

	got := make(chan answer, 2)
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("code") == "" && q.Get("error") == "" {
			http.NotFound(w, r)
			return
		}
		a := answer{code: q.Get("code"), state: q.Get("state")}
		if e := q.Get("error"); e != "" {
			a.err = fmt.Errorf("Google did not grant access: %s", e)
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		msg := "parley is signed in. You can close this tab."
		if a.err != nil {
			msg = "Sign-in failed: " + a.err.Error()
		}
		fmt.Fprintf(w, "<!doctype html><title>parley</title><p>%s</p>", html.EscapeString(msg))
		got <- a
	})}
	go srv.Serve(ln)
	defer srv.Close()

	fmt.Fprintf(s.Out, "Open this address in a browser and allow parley access (%s):\n\n  %s\n\n", strings.Join(cfg.Scopes, " "), link)
	fmt.Fprintln(s.Out, "If the browser runs on this machine, parley continues by itself.")
	fmt.Fprintln(s.Out, "If it runs elsewhere (over SSH), the last page will not load: copy its address from the address bar")
	fmt.Fprint(s.Out, "and paste it here: ")
	typed, answered := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(typed)
		for {
			line, err := s.In.ReadString('\n')
			if line = strings.TrimSpace(line); line != "" {
				a := parsePasted(line)
				a.typed = true
				got <- a
				return
			}
			select {
			case <-answered: // the Enter asked for after the browser answered
				return
			default:
			}
			if err != nil {
				return // no terminal input: wait for the browser
			}
		}
	}()

	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Minute
	}
	wait, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var a answer
	select {
	case a = <-got:
	case <-wait.Done():
		return nil, fmt.Errorf("no answer from the browser within %s; run the command again", timeout)
	}
	close(answered)
	fmt.Fprintln(s.Out)
	if !a.typed {
		// The terminal is still being read for a paste: take that line
		// back before anything else asks a question.
		fmt.Fprint(s.Out, "Signed in through the browser. Press Enter to go on: ")
		select {
		case <-typed:
		case <-wait.Done():
		}
		fmt.Fprintln(s.Out)
	}
	if a.err != nil {
		return nil, a.err
	}
	if a.state != "" && a.state != state {
		return nil, errors.New("the pasted address belongs to another sign-in (its state does not match); use the address of this one")
	}
	tok, err := cfg.Exchange(ctx, a.code, oauth2.VerifierOption(verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			return nil, fmt.Errorf("Google refused the code (%s %s); run the command again", re.ErrorCode, re.ErrorDescription)
		}
		return nil, fmt.Errorf("exchanging the code: %w", err)
	}
	if tok.RefreshToken == "" {
		return nil, errors.New("Google returned no refresh token: remove parley at https://myaccount.google.com/permissions and connect again")
	}
	return tok, nil
}

// parsePasted reads what the manager pasted: the whole address of the
// page that did not load, or the code alone.
func parsePasted(s string) (a answer) {
	if u, err := url.Parse(s); err == nil && u.RawQuery != "" {
		q := u.Query()
		if e := q.Get("error"); e != "" {
			a.err = fmt.Errorf("Google did not grant access: %s", e)
			return a
		}
		if q.Get("code") != "" {
			a.code, a.state = q.Get("code"), q.Get("state")
			return a
		}
		a.err = errors.New("the pasted address has no code in it; paste the address of the page Google sent the browser to")
		return a
	}
	a.code = s
	return a
}

// answer is what came back from the browser or the paste.
type answer struct {
	code, state string
	err         error
	typed       bool // pasted, rather than sent by the browser
}

func randomString() string {
	b := make([]byte, 24)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
