package sync

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/parleyhq/parley/inbox"
)

// escalateOne stores a complaint and escalates it with a delivery queued.
func escalateOne(t *testing.T, e *env) int64 {
	t.Helper()
	ctx := context.Background()
	a := e.account(t, "A", &fake{})
	it := msg("c1", "m1")
	it.Message.Text, it.Message.Permalink = "My parcel never arrived", "https://net.example/m1"
	if err := e.svc.Ingest(ctx, a.ID, inbox.Batch{Items: []inbox.Inbound{it}}); err != nil {
		t.Fatal(err)
	}
	cs, _ := e.svc.List(ctx, inbox.Page{View: inbox.ViewAll})
	if err := e.svc.Escalate(ctx, "ann", []int64{cs[0].ID}, "support", "customer waited 2 weeks"); err != nil {
		t.Fatal(err)
	}
	return cs[0].ID
}

func newEnvDeliverable(t *testing.T) *env {
	e := newEnv(t)
	st := e.st
	e.svc = inbox.NewService(st, inbox.Options{Now: e.clk.Now, Deliverable: func(d string) bool { return d == "support" }})
	return e
}

func TestWebhookDeliveryWithRetries(t *testing.T) {
	e := newEnvDeliverable(t)
	var mu gosync.Mutex
	var got []map[string]any
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if calls == 1 {
			w.WriteHeader(503) // the receiver is down once
			return
		}
		var body map[string]any
		json.NewDecoder(r.Body).Decode(&body)
		got = append(got, body)
	}))
	defer srv.Close()
	conv := escalateOne(t, e)
	w := NewWorker(e.svc, func(int64) (Connector, bool) { return nil, false }, nil)
	w.Destinations = map[string]Deliverer{"support": Webhook{URL: srv.URL}}
	// The 503 is retried once its backoff is over.
	drainUntil(t, e, w, "escalation delivered", func() bool {
		th, _ := e.svc.Open(context.Background(), conv)
		return th.Actions[0].Status == inbox.DeliverySent
	})
	th, _ := e.svc.Open(context.Background(), conv)
	if a := th.Actions[0]; a.Status != inbox.DeliverySent || a.Attempts != 2 {
		t.Fatalf("after a 503 and a retry: %+v", a)
	}
	if len(got) != 1 || calls != 2 {
		t.Fatalf("%d deliveries in %d calls", len(got), calls)
	}
	b := got[0]
	if !strings.Contains(b["text"].(string), "Escalated to support") || b["note"] != "customer waited 2 weeks" ||
		b["link"] != "https://net.example/m1" || b["destination"] != "support" {
		t.Fatalf("webhook body: %v", b)
	}
}

func TestWebhookRefusalIsFinal(t *testing.T) {
	e := newEnvDeliverable(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(404) }))
	defer srv.Close()
	conv := escalateOne(t, e)
	w := NewWorker(e.svc, func(int64) (Connector, bool) { return nil, false }, nil)
	w.Destinations = map[string]Deliverer{"support": Webhook{URL: srv.URL}}
	w.Drain(context.Background())
	th, _ := e.svc.Open(context.Background(), conv)
	if a := th.Actions[0]; a.Status != inbox.DeliveryFailed || !strings.Contains(a.LastError, "404") {
		t.Fatalf("404: %+v", a)
	}
}

func TestCommandDeliveryGetsJSON(t *testing.T) {
	e := newEnvDeliverable(t)
	out := filepath.Join(t.TempDir(), "got.json")
	conv := escalateOne(t, e)
	w := NewWorker(e.svc, func(int64) (Connector, bool) { return nil, false }, nil)
	w.Destinations = map[string]Deliverer{"support": Command{Cmd: "cat > " + out}}
	w.Drain(context.Background())
	var got Escalation
	b, _ := os.ReadFile(out)
	if err := json.Unmarshal(b, &got); err != nil || got.Conversation != conv || got.Messages[0].Text != "My parcel never arrived" {
		t.Fatalf("command stdin: %s (%v)", b, err)
	}
	if err := (Command{Cmd: "echo boom >&2; exit 3"}).Deliver(context.Background(), got); err == nil || !strings.Contains(err.Error(), "boom") || IsPermanent(err) {
		t.Fatalf("failing command: %v", err)
	}
}

// A local SMTP server (emersion/go-smtp) with STARTTLS and AUTH PLAIN.
type mailBackend struct {
	mu   gosync.Mutex
	msgs []string
	rcpt []string
	user string
	fail int // answer 451 to this many DATA commands first
}

func (b *mailBackend) NewSession(*smtp.Conn) (smtp.Session, error) { return &mailSession{b: b}, nil }

type mailSession struct{ b *mailBackend }

func (s *mailSession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *mailSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		if user != "parley" || pass != "pw" {
			return errors.New("bad credentials")
		}
		s.b.mu.Lock()
		s.b.user = user
		s.b.mu.Unlock()
		return nil
	}), nil
}
func (s *mailSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if strings.HasPrefix(to, "nobody@") {
		return &smtp.SMTPError{Code: 550, Message: "no such user"}
	}
	s.b.mu.Lock()
	s.b.rcpt = append(s.b.rcpt, to)
	s.b.mu.Unlock()
	return nil
}
func (s *mailSession) Data(r io.Reader) error {
	b, _ := io.ReadAll(r)
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	if s.b.fail > 0 {
		s.b.fail--
		return &smtp.SMTPError{Code: 451, Message: "try again later"}
	}
	s.b.msgs = append(s.b.msgs, string(b))
	return nil
}
func (s *mailSession) Reset()        {}
func (s *mailSession) Logout() error { return nil }

func selfSigned(t *testing.T) tls.Certificate {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func TestEmailDeliveryOverSTARTTLS(t *testing.T) {
	be := &mailBackend{fail: 1}
	srv := smtp.NewServer(be)
	srv.Domain = "localhost"
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{selfSigned(t)}}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	defer srv.Close()
	host, port, _ := net.SplitHostPort(l.Addr().String())
	p := 0
	for _, c := range port {
		p = p*10 + int(c-'0')
	}
	mail := Email{To: []string{"support@shop.example"}, Server: SMTP{Host: host, Port: p, Username: "parley",
		Password: func(context.Context) (string, error) { return "pw", nil }, From: "parley@shop.example",
		StartTLS: true, Insecure: true}}
	e := newEnvDeliverable(t)
	conv := escalateOne(t, e)
	w := NewWorker(e.svc, func(int64) (Connector, bool) { return nil, false }, nil)
	w.Destinations = map[string]Deliverer{"support": mail}
	w.Drain(context.Background()) // 451: retried
	e.clk.Advance(time.Hour)      // past its backoff
	w.Drain(context.Background())
	th, _ := e.svc.Open(context.Background(), conv)
	if a := th.Actions[0]; a.Status != inbox.DeliverySent {
		t.Fatalf("email delivery: %+v", a)
	}
	be.mu.Lock()
	ok := len(be.msgs) == 1 && be.user == "parley" && be.rcpt[len(be.rcpt)-1] == "support@shop.example" &&
		strings.Contains(be.msgs[0], "Subject: [parley] support:") && strings.Contains(be.msgs[0], "My parcel never arrived")
	if !ok {
		t.Errorf("mail: user %q rcpt %v msgs %q", be.user, be.rcpt, be.msgs)
	}
	be.mu.Unlock()
	// An unknown recipient (550) is final; a wrong password is refused.
	mail.To = []string{"nobody@shop.example"}
	if err := mail.Deliver(context.Background(), NewEscalation("support", "", th)); !IsPermanent(err) {
		t.Fatalf("unknown recipient: %v", err)
	}
	mail.To = []string{"support@shop.example"}
	mail.Server.Password = func(context.Context) (string, error) { return "nope", nil }
	if err := mail.Deliver(context.Background(), NewEscalation("support", "", th)); err == nil {
		t.Fatal("wrong password accepted")
	}
}

// recorder is a destination that keeps what it was told.
type recorder struct {
	mu  gosync.Mutex
	got []Escalation
}

func (r *recorder) Deliver(_ context.Context, e Escalation) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, e)
	return nil
}

// Undoing a delivered escalation tells the same destination it was
// withdrawn.
func TestUndoneEscalationSendsARetraction(t *testing.T) {
	e := newEnvDeliverable(t)
	conv := escalateOne(t, e)
	rec := &recorder{}
	w := NewWorker(e.svc, func(int64) (Connector, bool) { return nil, false }, nil)
	w.Destinations = map[string]Deliverer{"support": rec}
	w.Drain(context.Background())
	if _, err := e.svc.Undo(context.Background(), "ann"); err != nil {
		t.Fatal(err)
	}
	w.Drain(context.Background())
	if len(rec.got) != 2 || rec.got[0].Retracted || !rec.got[1].Retracted || rec.got[1].Conversation != conv ||
		!strings.HasPrefix(rec.got[1].Summary(), "WITHDRAWN") || rec.got[1].Note != "withdrawn by ann" {
		t.Fatalf("deliveries: %+v", rec.got)
	}
}
