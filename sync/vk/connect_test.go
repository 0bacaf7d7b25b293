package vk

import (
	"context"
	"strings"
	"testing"
)

func TestConnectChecksBothTokens(t *testing.T) {
	f := newFake(t)
	ctx := context.Background()
	cc, err := CheckCommunityToken(ctx, f.srv.URL, f.groupTok)
	if err != nil || cc.ID != f.groupID || !cc.Messages || !cc.Manage || !cc.LongPoll || cc.Name != "Кофейня «Зерно» ☕" {
		t.Fatalf("%+v %v", cc, err)
	}
	cs, err := AdminCommunities(ctx, f.srv.URL, f.userTok)
	if err != nil || len(cs) != 1 || cs[0].ID != f.groupID {
		t.Fatalf("%+v %v", cs, err)
	}
	// The tokens swapped: each check names the configuration problem.
	if _, err := AdminCommunities(ctx, f.srv.URL, f.groupTok); err == nil || !strings.Contains(err.Error(), "error 27") || !strings.Contains(err.Error(), "configuration problem") {
		t.Fatalf("community token as user token: %v", err)
	}
	if _, err := CheckCommunityToken(ctx, f.srv.URL, "wrong-token"); err == nil || strings.Contains(err.Error(), "wrong-token") {
		t.Fatalf("bad token: %v", err)
	}
	off := strings.Join(Disabled(&CommunityCheck{Messages: true, LongPoll: true}, false, false), "\n")
	if !strings.Contains(off, "no user token: wall comments and board topics are not read back") || !strings.Contains(off, "comments cannot be deleted") {
		t.Fatalf("disabled: %s", off)
	}
}
