package facebook

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	psync "github.com/parleyhq/parley/sync"
)

// Page is a Facebook Page the user manages, with its Page token.
type Page struct {
	ID, Name, Token string
}

// Permission is what one Graph permission enables.
type Permission struct{ Name, Enables string }

// Needed lists the permissions parley uses and what lacks without them.
var Needed = []Permission{
	{"pages_read_engagement", "reading posts and comments"},
	{"pages_read_user_content", "visitor posts and reviews"},
	{"pages_manage_engagement", "replying to, hiding and deleting comments"},
	{"pages_messaging", "answering Messenger conversations and private replies"},
	{"pages_manage_metadata", "reading the Messenger inbox"},
}

// NeededInstagram is the same for the Page's Instagram account.
var NeededInstagram = []Permission{
	{"instagram_basic", "reading Instagram media"},
	{"instagram_manage_comments", "reading, replying to and hiding Instagram comments"},
	{"instagram_manage_messages", "Instagram direct messages"},
}

// Setup is the sign-in side of the connector: it talks Graph with a user
// token to find Pages and check permissions.
type Setup struct {
	http    *psync.HTTPClient
	version string
}

// NewSetup prepares Graph calls with a user token.
func NewSetup(baseURL, version, userToken string) (*Setup, error) {
	c, err := psync.NewHTTPClient(strings.TrimRight(baseURL, "/"), false, func(context.Context) (string, error) { return userToken, nil })
	if err != nil {
		return nil, err
	}
	c.MapError, c.Pace = mapError, pace
	return &Setup{http: c, version: version}, nil
}

// Missing returns the needed permissions the token has not been granted.
func (s *Setup) Missing(ctx context.Context, needed []Permission) ([]Permission, error) {
	var res struct {
		Data []struct {
			Permission string `json:"permission"`
			Status     string `json:"status"`
		} `json:"data"`
	}
	if _, err := s.http.Do(ctx, psync.Request{Method: "GET", Path: "/" + s.version + "/me/permissions"}, &res); err != nil {
		return nil, err
	}
	granted := map[string]bool{}
	for _, p := range res.Data {
		granted[p.Permission] = p.Status == "granted"
	}
	var out []Permission
	for _, p := range needed {
		if !granted[p.Name] {
			out = append(out, p)
		}
	}
	return out, nil
}

// Pages lists the Pages the user manages (GET /me/accounts).
func (s *Setup) Pages(ctx context.Context) ([]Page, error) {
	var out []Page
	next := ""
	for i := 0; i < maxPages; i++ {
		var pg page[struct {
			ID          string `json:"id"`
			Name        string `json:"name"`
			AccessToken string `json:"access_token"`
		}]
		r := psync.Request{Method: "GET", Path: "/" + s.version + "/me/accounts", Query: url.Values{"fields": {"id,name,access_token"}}}
		if next != "" {
			r = psync.Request{Method: "GET", Path: next}
		}
		if _, err := s.http.Do(ctx, r, &pg); err != nil {
			return nil, err
		}
		for _, p := range pg.Data {
			out = append(out, Page{ID: p.ID, Name: p.Name, Token: p.AccessToken})
		}
		if pg.Paging.Next == "" || pg.Paging.Next == next {
			break
		}
		next = pg.Paging.Next
	}
	return out, nil
}

// Instagram returns the Page's linked Instagram professional account.
func (s *Setup) Instagram(ctx context.Context, p Page) (id, username string, err error) {
	c, err := psync.NewHTTPClient(s.http.Base.String(), false, func(context.Context) (string, error) { return p.Token, nil })
	if err != nil {
		return "", "", err
	}
	c.MapError = mapError
	var res struct {
		IG *struct {
			ID       string `json:"id"`
			Username string `json:"username"`
		} `json:"instagram_business_account"`
	}
	if _, err := c.Do(ctx, psync.Request{Method: "GET", Path: "/" + s.version + "/" + p.ID,
		Query: url.Values{"fields": {"instagram_business_account{id,username}"}}}, &res); err != nil {
		return "", "", err
	}
	if res.IG == nil || res.IG.ID == "" {
		return "", "", fmt.Errorf("the Page %q has no Instagram professional account linked", p.Name)
	}
	return res.IG.ID, res.IG.Username, nil
}

// InstagramLoginAccount returns the account behind an Instagram Login token
// (graph.instagram.com/me).
func InstagramLoginAccount(ctx context.Context, baseURL, version, token string) (id, username string, err error) {
	c, err := psync.NewHTTPClient(strings.TrimRight(baseURL, "/"), false, func(context.Context) (string, error) { return token, nil })
	if err != nil {
		return "", "", err
	}
	c.MapError = mapError
	var me struct {
		ID       string `json:"id"`
		UserID   string `json:"user_id"`
		Username string `json:"username"`
	}
	if _, err := c.Do(ctx, psync.Request{Method: "GET", Path: "/" + version + "/me", Query: url.Values{"fields": {"id,user_id,username"}}}, &me); err != nil {
		return "", "", err
	}
	id = me.UserID
	if id == "" {
		id = me.ID
	}
	if id == "" {
		return "", "", fmt.Errorf("the token's account has no Instagram id")
	}
	return id, me.Username, nil
}
