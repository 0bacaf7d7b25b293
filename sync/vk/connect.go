package vk

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// The sign-in side of the connector, for `parley connect vk`: check each
// token with a cheap call, find the community, and say what will be off.

// Community is a VK community a token belongs to or a user administers.
type Community struct {
	ID         int64
	Name       string
	ScreenName string
}

// Community token rights (groups.getTokenPermissions mask bits).
const (
	rightMessages = 4096
	rightManage   = 262144
)

// CommunityCheck is what the community token can do.
type CommunityCheck struct {
	Community
	Messages bool // the "messages" right
	Manage   bool // the "manage" right
	LongPoll bool // Bots Long Poll is on for the community
}

// CheckCommunityToken asks VK whose token it is (groups.getById with no
// id answers the token's own community), its rights and whether Long Poll
// is on.
func CheckCommunityToken(ctx context.Context, baseURL, token string) (CommunityCheck, error) {
	a, err := newAPI(baseURL, groupToken, func(context.Context) (string, error) { return token, nil }, 20)
	if err != nil {
		return CommunityCheck{}, err
	}
	var byID struct {
		Groups []group `json:"groups"`
	}
	if err := a.call(ctx, "groups.getById", nil, &byID); err != nil {
		return CommunityCheck{}, err
	}
	if len(byID.Groups) != 1 {
		return CommunityCheck{}, errors.New("this is not a community token: groups.getById named no community (create one in the community's Manage → API usage → Access tokens)")
	}
	g := byID.Groups[0]
	out := CommunityCheck{Community: Community{ID: g.ID, Name: g.Name, ScreenName: g.ScreenName}}
	var perms struct {
		Mask int `json:"mask"`
	}
	if err := a.call(ctx, "groups.getTokenPermissions", nil, &perms); err != nil {
		return CommunityCheck{}, err
	}
	out.Messages, out.Manage = perms.Mask&rightMessages != 0, perms.Mask&rightManage != 0
	var lp struct {
		IsEnabled bool `json:"is_enabled"`
	}
	if err := a.call(ctx, "groups.getLongPollSettings", url.Values{"group_id": {fmt.Sprint(g.ID)}}, &lp); err == nil {
		out.LongPoll = lp.IsEnabled
	}
	return out, nil
}

// AdminCommunities checks a user token and lists the communities its
// owner administers (groups.get filter=admin).
func AdminCommunities(ctx context.Context, baseURL, token string) ([]Community, error) {
	a, err := newAPI(baseURL, userToken, func(context.Context) (string, error) { return token, nil }, 3)
	if err != nil {
		return nil, err
	}
	var res struct {
		Items []group `json:"items"`
	}
	if err := a.call(ctx, "groups.get", url.Values{"filter": {"admin"}, "extended": {"1"}, "count": {"1000"}}, &res); err != nil {
		return nil, err
	}
	var out []Community
	for _, g := range res.Items {
		out = append(out, Community{ID: g.ID, Name: g.Name, ScreenName: g.ScreenName})
	}
	return out, nil
}

// Disabled says, one line each, what will not work with what was given.
func Disabled(c *CommunityCheck, haveUser, userIsAdmin bool) []string {
	var out []string
	if c == nil {
		out = append(out, "no community token: community messages are not synced or answered, and new comments arrive only with each poll (no Long Poll)")
	} else {
		if !c.Messages {
			out = append(out, "the community token lacks the \"messages\" right: community messages are not synced or answered")
		}
		if !c.LongPoll {
			out = append(out, "Bots Long Poll is off: turn it on in Manage → API usage → Long Poll API (API version "+Version+", event types: "+strings.Join(lpEvents, ", ")+"); until then parley polls")
		}
	}
	switch {
	case !haveUser:
		out = append(out, "no user token: wall comments and board topics are not read back (only new ones, and new market comments, arrive through Long Poll); comments cannot be deleted; board and market replies and bans are off")
	case !userIsAdmin:
		out = append(out, "the user token's owner does not administer this community: reading the wall, boards and market, deleting comments and bans will be refused")
	}
	return out
}
