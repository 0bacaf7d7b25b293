package inbox

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestSnoozePresets(t *testing.T) {
	// Thursday 2026-11-26 10:00 local.
	loc := time.FixedZone("X", 3600)
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, loc)
	p := SnoozePresets(now)
	want := []time.Time{now.Add(time.Hour), time.Date(2026, 11, 26, 19, 0, 0, 0, loc),
		time.Date(2026, 11, 27, 9, 0, 0, 0, loc), time.Date(2026, 11, 30, 9, 0, 0, 0, loc)}
	for i, w := range want {
		if !p[i].Until.Equal(w) {
			t.Errorf("%s = %s, want %s", p[i].Label, p[i].Until, w)
		}
	}
	late := SnoozePresets(time.Date(2026, 11, 26, 21, 0, 0, 0, loc))
	if late[1].Label != "tomorrow evening" || late[1].Until.Day() != 27 {
		t.Errorf("late evening: %+v", late[1])
	}
	// On a Monday, next week is the following Monday.
	mon := SnoozePresets(time.Date(2026, 11, 30, 8, 0, 0, 0, loc))
	if d := mon[3].Until; d.Day() != 7 || d.Month() != 12 {
		t.Errorf("next week from Monday = %s", d)
	}
}

func TestParseSnooze(t *testing.T) {
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC) // Thursday
	ok := map[string]time.Time{
		"3h":               now.Add(3 * time.Hour),
		"45m":              now.Add(45 * time.Minute),
		"2d":               now.Add(48 * time.Hour),
		"1w":               now.Add(7 * 24 * time.Hour),
		"mon":              time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC),
		"Thursday":         time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC),
		"17:30":            time.Date(2026, 11, 26, 17, 30, 0, 0, time.UTC),
		"09:00":            time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC),
		"2026-12-01 10:00": time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC),
		"2026-12-01":       time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC),
	}
	for in, want := range ok {
		got, err := ParseSnooze(in, now)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseSnooze(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "soon", "-3h", "2020-01-01", "0d", "x:y"} {
		if _, err := ParseSnooze(bad, now); err == nil {
			t.Errorf("ParseSnooze(%q) accepted", bad)
		}
	}
}

func TestSavedRepliesAndTemplates(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "refund.txt"), []byte("Hi {{ first_name }}, your refund is on its way. — {{me}}\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "apology"), []byte("Sorry {{author}} {{unknown}}"), 0o600)
	os.WriteFile(filepath.Join(dir, ".hidden"), []byte("x"), 0o600)
	rs, err := LoadSavedReplies(dir)
	if err != nil || len(rs) != 2 || rs[0].Name != "apology" || rs[1].Name != "refund" {
		t.Fatalf("replies = %+v, %v", rs, err)
	}
	vars := ReplyVars(Conversation{Author: Author{Name: "Emma Clarke", Handle: "@emma"}}, Account{Label: "FB"}, "ann")
	if got := FillTemplate(rs[1].Body, vars); got != "Hi Emma, your refund is on its way. — ann" {
		t.Fatalf("filled = %q", got)
	}
	if got := FillTemplate(rs[0].Body, vars); got != "Sorry Emma Clarke {{unknown}}" {
		t.Fatalf("filled = %q", got)
	}
	if got := FillTemplate("broken {{author", vars); got != "broken {{author" {
		t.Fatalf("unterminated = %q", got)
	}
	if rs, err := LoadSavedReplies(filepath.Join(dir, "missing")); err != nil || rs != nil {
		t.Fatalf("missing dir: %v %v", rs, err)
	}
}

func TestNormalizeTag(t *testing.T) {
	for in, want := range map[string]string{"  Billing ": "billing", "#VIP": "vip", "late  delivery": "late-delivery", "\x1b[31mred": "red"} {
		if got := NormalizeTag(in); got != want {
			t.Errorf("NormalizeTag(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSubscribeCoalescesAndPresence(t *testing.T) {
	svc := NewService(nil, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := svc.Subscribe(ctx)
	svc.changed([]int64{1})
	svc.SetPresence(Viewer{Session: "s1", User: "ann", Conversation: 7})
	svc.SetPresence(Viewer{Session: "s1", User: "ann", Conversation: 7}) // unchanged: no signal
	c := <-ch
	if !c.Data || !c.Presence || !slices.Equal(c.Conversations, []int64{1}) {
		t.Fatalf("merged change = %+v", c)
	}
	select {
	case c := <-ch:
		t.Fatalf("unexpected extra change %+v", c)
	default:
	}
	svc.SetPresence(Viewer{Session: "s2", User: "bob", Conversation: 7, Composing: true})
	svc.SetPresence(Viewer{Session: "s3", User: "cy"}) // on a list: not listed
	if p := svc.Presence(); len(p) != 2 || p[0].User != "ann" || !p[1].Composing {
		t.Fatalf("presence = %+v", p)
	}
	svc.ClearPresence("s2")
	if p := svc.Presence(); len(p) != 1 {
		t.Fatalf("after clear: %+v", p)
	}
}
