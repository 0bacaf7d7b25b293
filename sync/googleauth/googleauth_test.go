package googleauth

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	gosync "sync"
	"testing"
	"time"

	psync "github.com/parleyhq/parley/sync"
)

// fakeGoogle is Google's token endpoint as the OAuth docs describe it:
// form-encoded grants, JSON answers, {"error":"invalid_grant"} for a
// revoked refresh token.
type fakeGoogle struct {
	mu        gosync.Mutex
	refreshes int
	expiresIn int
	revoked   bool
	codes     map[string]string // code → PKCE verifier expected (any non-empty)
}

func (f *fakeGoogle) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r.ParseForm()
	w.Header().Set("Content-Type", "application/json")
	if r.Form.Get("client_id") != "cid" || r.Form.Get("client_secret") != "csecret" {
		w.WriteHeader(401)
		io.WriteString(w, `{"error":"invalid_client","error_description":"The OAuth client was not found."}`)
		return
	}
	switch r.Form.Get("grant_type") {
	case "refresh_token":
		if f.revoked || r.Form.Get("refresh_token") != "rt-1" {
			w.WriteHeader(400)
			io.WriteString(w, `{"error":"invalid_grant","error_description":"Token has been expired or revoked."}`)
			return
		}
		f.refreshes++
		fmt.Fprintf(w, `{"access_token":"at-%d","expires_in":%d,"scope":%q,"token_type":"Bearer"}`, f.refreshes, f.expiresIn, ScopeYouTube)
	case "authorization_code":
		if _, ok := f.codes[r.Form.Get("code")]; !ok || r.Form.Get("code_verifier") == "" || r.Form.Get("redirect_uri") == "" {
			w.WriteHeader(400)
			io.WriteString(w, `{"error":"invalid_grant","error_description":"Bad Request"}`)
			return
		}
		io.WriteString(w, `{"access_token":"at-0","expires_in":3599,"refresh_token":"rt-1","token_type":"Bearer"}`)
	default:
		w.WriteHeader(400)
		io.WriteString(w, `{"error":"unsupported_grant_type"}`)
	}
}

func transport(t *testing.T, g *fakeGoogle, rt string) (*Transport, *httptest.Server) {
	tok := httptest.NewServer(g)
	t.Cleanup(tok.Close)
	return &Transport{Config: NewConfig("cid", "csecret", ScopeYouTube, tok.URL+"/auth", tok.URL+"/token"),
		Refresh: func(context.Context) (string, error) { return rt, nil }, Network: "youtube"}, tok
}

func TestRefreshesOnlyNearExpiry(t *testing.T) {
	for _, tc := range []struct {
		expiresIn, want int
	}{{3599, 1}, {120, 3}} { // 120s is inside EarlyRefresh: renewed before every call
		g := &fakeGoogle{expiresIn: tc.expiresIn}
		tr, _ := transport(t, g, "rt-1")
		api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer at-") {
				w.WriteHeader(401)
			}
		}))
		defer api.Close()
		c := tr.Client()
		for range 3 {
			resp, err := c.Get(api.URL)
			if err != nil || resp.StatusCode != 200 {
				t.Fatalf("expires_in %d: %v %v", tc.expiresIn, resp, err)
			}
			resp.Body.Close()
		}
		if g.refreshes != tc.want {
			t.Errorf("expires_in %d: %d refreshes, want %d", tc.expiresIn, g.refreshes, tc.want)
		}
	}
}

func TestUnauthorizedRefreshesOnceAndResendsTheBody(t *testing.T) {
	g := &fakeGoogle{expiresIn: 3599}
	tr, _ := transport(t, g, "rt-1")
	var bodies []string
	var mu gosync.Mutex
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, r.Header.Get("Authorization")+" "+string(b))
		mu.Unlock()
		if r.Header.Get("Authorization") == "Bearer at-1" { // revoked early on Google's side
			w.WriteHeader(401)
			io.WriteString(w, `{"error":{"code":401,"message":"Request had invalid authentication credentials.","status":"UNAUTHENTICATED"}}`)
		}
	}))
	defer api.Close()
	resp, err := tr.Client().Post(api.URL, "application/json", strings.NewReader(`{"x":1}`))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("%v %v", resp, err)
	}
	if want := []string{`Bearer at-1 {"x":1}`, `Bearer at-2 {"x":1}`}; fmt.Sprint(bodies) != fmt.Sprint(want) {
		t.Fatalf("requests %q, want %q", bodies, want)
	}
	// A 401 that survives the fresh token is the answer, not a loop.
	g.mu.Lock()
	g.refreshes = 0 // every token from now on is at-1
	g.expiresIn = 1
	g.mu.Unlock()
	tr.source(context.Background(), true)
	resp, err = tr.Client().Get(api.URL)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 && len(bodies) != 4 {
		t.Fatalf("%d requests, want one retry only", len(bodies))
	}
}

func TestRevokedGrantIsAuthErrorWithoutTheToken(t *testing.T) {
	g := &fakeGoogle{expiresIn: 3599, revoked: true}
	tr, _ := transport(t, g, "rt-1")
	_, err := tr.Client().Get("http://127.0.0.1:1/")
	if !errors.Is(err, psync.ErrAuth) {
		t.Fatalf("err = %v, want ErrAuth", err)
	}
	if !strings.Contains(err.Error(), "parley connect youtube") || strings.Contains(err.Error(), "rt-1") {
		t.Fatalf("message: %v", err)
	}
	// A wrong client is an auth problem too, said as such.
	tr.Config.ClientSecret = "wrong"
	tr.source(context.Background(), true)
	if _, err := tr.Client().Get("http://127.0.0.1:1/"); !errors.Is(err, psync.ErrAuth) || !strings.Contains(err.Error(), "OAuth client") {
		t.Fatalf("bad client: %v", err)
	}
}

func TestTokenEndpointDownIsRetryable(t *testing.T) {
	tok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) }))
	defer tok.Close()
	tr := &Transport{Config: NewConfig("cid", "csecret", ScopeYouTube, "", tok.URL), Refresh: func(context.Context) (string, error) { return "rt-1", nil }}
	_, err := tr.Client().Get("http://127.0.0.1:1/")
	if err == nil || errors.Is(err, psync.ErrAuth) || psync.IsPermanent(err) {
		t.Fatalf("err = %v, want a retryable error", err)
	}
}

// signIn runs SignIn with a terminal made of pipes and returns the
// address it printed and a way to type a line.
func signIn(t *testing.T, g *fakeGoogle) (link *url.URL, typeLine func(string), result chan error) {
	tok := httptest.NewServer(g)
	t.Cleanup(tok.Close)
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	result = make(chan error, 1)
	go func() {
		tk, err := SignIn{Config: NewConfig("cid", "csecret", ScopeYouTube, tok.URL+"/auth", tok.URL+"/token"),
			In: bufio.NewReader(inR), Out: outW, Timeout: time.Minute}.Run(context.Background())
		if err == nil && tk.RefreshToken != "rt-1" {
			err = fmt.Errorf("refresh token %q", tk.RefreshToken)
		}
		outW.Close()
		result <- err
	}()
	sc := bufio.NewScanner(outR)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); strings.HasPrefix(l, tok.URL+"/auth?") {
			link, _ = url.Parse(l)
			break
		}
	}
	go io.Copy(io.Discard, outR)
	t.Cleanup(func() { inW.Close() })
	if link == nil {
		t.Fatal("no sign-in address printed")
	}
	q := link.Query()
	if q.Get("access_type") != "offline" || q.Get("code_challenge_method") != "S256" || q.Get("scope") != ScopeYouTube || !strings.HasPrefix(q.Get("redirect_uri"), "http://127.0.0.1:") {
		t.Fatalf("sign-in address lacks offline access, PKCE, scope or loopback: %s", link)
	}
	return link, func(s string) { go io.WriteString(inW, s+"\n") }, result
}

func TestSignInByPastedAddress(t *testing.T) {
	g := &fakeGoogle{codes: map[string]string{"4/code": ""}}
	link, typeLine, result := signIn(t, g)
	// The browser was on another machine: the manager pastes the address
	// of the page that did not load.
	typeLine(link.Query().Get("redirect_uri") + "?state=" + url.QueryEscape(link.Query().Get("state")) + "&code=4/code&scope=" + url.QueryEscape(ScopeYouTube))
	if err := <-result; err != nil {
		t.Fatal(err)
	}
}

func TestSignInByLoopback(t *testing.T) {
	g := &fakeGoogle{codes: map[string]string{"4/code": ""}}
	link, typeLine, result := signIn(t, g)
	resp, err := http.Get(link.Query().Get("redirect_uri") + "?state=" + url.QueryEscape(link.Query().Get("state")) + "&code=4/code")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(b), "signed in") {
		t.Fatalf("browser page: %s", b)
	}
	typeLine("") // the Enter it asks for, so the terminal is free again
	if err := <-result; err != nil {
		t.Fatal(err)
	}
}

func TestSignInRefusesAnotherSignInsAddress(t *testing.T) {
	g := &fakeGoogle{codes: map[string]string{"4/code": ""}}
	link, typeLine, result := signIn(t, g)
	typeLine(link.Query().Get("redirect_uri") + "?state=someone-elses&code=4/code")
	if err := <-result; err == nil || !strings.Contains(err.Error(), "state") {
		t.Fatalf("err = %v", err)
	}
	_, typeLine, result = signIn(t, g)
	typeLine("http://127.0.0.1:9/?error=access_denied")
	if err := <-result; err == nil || !strings.Contains(err.Error(), "access_denied") {
		t.Fatalf("denied: %v", err)
	}
}

func TestConfigFromOptions(t *testing.T) {
	if _, err := Config("a", map[string]any{}, ScopeYouTube); err == nil || !strings.Contains(err.Error(), "client_id") {
		t.Fatalf("no client id: %v", err)
	}
	t.Setenv("PARLEY_TEST_SECRET", "s3")
	c, err := Config("a", map[string]any{"client_id": "x", "client_secret_env": "PARLEY_TEST_SECRET"}, ScopeBusiness)
	if err != nil || c.ClientSecret != "s3" || c.Scopes[0] != ScopeBusiness {
		t.Fatalf("%+v %v", c, err)
	}
	b, _ := json.Marshal(c.Endpoint)
	if !strings.Contains(string(b), "oauth2.googleapis.com/token") {
		t.Fatalf("endpoint %s", b)
	}
}
