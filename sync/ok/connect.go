package ok

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// The sign-in side of the connector, for `parley connect ok`: check each
// credential with a cheap call, find the group, and say what is off.

// Permission is an OK application permission parley needs, what it
// enables, and how to get it.
type Permission struct {
	Name    string
	Enables string
}

// Needed are the permissions the access token must carry. OK grants them
// to an application only on request (an e-mail to api-support@ok.ru with
// the application id and why), and then the token must be issued with
// them in its scope.
var Needed = []Permission{
	{"VALUABLE_ACCESS", "reading topics and comments"},
	{"GROUP_CONTENT", "answering, deleting and reporting comments as the group"},
	{"LONG_ACCESS_TOKEN", "a token that lasts 30 days and renews itself (without it the token expires within an hour)"},
}

// User is who an access token belongs to.
type User struct {
	ID, Name string
}

// Group is an OK group.
type Group struct {
	ID, Name string
}

// TokenCheck is what an access token, signed with the application's key
// and secret, can do.
type TokenCheck struct {
	User    User
	Group   Group        // the group asked for, as OK names it
	Missing []Permission // permissions the token lacks
}

// CheckToken signs a call with the access token (users.getCurrentUser), so
// a wrong key or secret shows at once, reads the group's name
// (group.getInfo) and asks which permissions the token lacks
// (users.hasAppPermission).
func CheckToken(ctx context.Context, baseURL, appKey, appSecret, sessionSecret, token, groupID string) (TokenCheck, error) {
	if !digits(groupID) {
		return TokenCheck{}, fmt.Errorf("the group id %q is not a number: open the group on ok.ru, its id is in the address (ok.ru/group/ID)", groupID)
	}
	src := func(v string) func(context.Context) (string, error) {
		return func(context.Context) (string, error) { return v, nil }
	}
	var ss func(context.Context) (string, error)
	if sessionSecret != "" {
		ss = src(sessionSecret)
	}
	r, err := newREST(baseURL, appKey, src(token), src(appSecret), ss, 3)
	if err != nil {
		return TokenCheck{}, err
	}
	var me struct {
		UID  string `json:"uid"`
		Name string `json:"name"`
	}
	if err := r.call(ctx, "users.getCurrentUser", url.Values{"fields": {"uid,name"}}, &me); err != nil {
		return TokenCheck{}, err
	}
	out := TokenCheck{User: User{ID: me.UID, Name: me.Name}}
	var groups []struct {
		UID  string `json:"uid"`
		Name string `json:"name"`
	}
	if err := r.call(ctx, "group.getInfo", url.Values{"uids": {groupID}, "fields": {"uid,name"}}, &groups); err != nil {
		return TokenCheck{}, err
	}
	if len(groups) != 1 || groups[0].UID != groupID {
		return TokenCheck{}, fmt.Errorf("OK knows no group %s (check the id in the group's address, ok.ru/group/ID)", groupID)
	}
	out.Group = Group{ID: groupID, Name: groups[0].Name}
	for _, p := range Needed {
		var has bool
		if err := r.call(ctx, "users.hasAppPermission", url.Values{"ext_perm": {p.Name}}, &has); err != nil {
			return TokenCheck{}, err
		}
		if !has {
			out.Missing = append(out.Missing, p)
		}
	}
	return out, nil
}

// CheckBotToken asks the Bot API whose token it is (/me/info): a group
// token names its group.
func CheckBotToken(ctx context.Context, baseURL, token string) (Group, error) {
	b, err := newBot(baseURL, func(context.Context) (string, error) { return token, nil })
	if err != nil {
		return Group{}, err
	}
	in, err := b.info(ctx)
	if err != nil {
		return Group{}, err
	}
	id := strings.TrimPrefix(in.GroupID, "group:")
	if !digits(id) {
		return Group{}, errors.New("this is not a group's Bot API token: /me/info named no group (create one in the group: Settings → Advanced → API access tokens)")
	}
	return Group{ID: id, Name: in.Name}, nil
}

// Disabled says, one line each, what will not work with what was given.
func Disabled(haveToken, haveBot bool, missing []Permission) []string {
	var out []string
	if !haveToken {
		out = append(out, "no access token: topic comments are not synced, answered or moderated")
	}
	for _, p := range missing {
		out = append(out, "missing permission "+p.Name+": "+p.Enables+" will not work — ask api-support@ok.ru to grant it to the application, then issue the token again with it in the scope")
	}
	if !haveBot {
		out = append(out, "no Bot API token: group chats are not synced or answered (group → Settings → Advanced → API access tokens)")
	}
	return out
}
