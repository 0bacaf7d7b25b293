package facebook

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	psync "github.com/parleyhq/parley/sync"
)

// Page is a Facebook Page the user manages, with its Page token.
type Page struct {
	ID, Name, Token string
}

// Permission is what one Graph permission enables; Or names another that
// does the same.
type Permission struct{ Name, Or, Enables string }

// Needed lists the permissions parley uses and what lacks without them.
var Needed = []Permission{
	{Name: "pages_show_list", Enables: "finding the Pages you manage"},
	{Name: "pages_read_engagement", Enables: "reading posts and comments"},
	{Name: "pages_read_user_content", Enables: "reading what people post on the Page (comments, visitor posts) and deleting their comments"},
	{Name: "pages_manage_engagement", Enables: "replying to and hiding comments"},
	{Name: "pages_messaging", Enables: "answering Messenger conversations and private replies"},
	{Name: "pages_manage_metadata", Enables: "reading the Messenger inbox"},
}

// NeededInstagram is the same for the Page's Instagram account.
var NeededInstagram = []Permission{
	{Name: "instagram_basic", Enables: "reading Instagram media"},
	{Name: "instagram_manage_comments", Enables: "reading, replying to and hiding Instagram comments, and tagged posts"},
	{Name: "instagram_manage_messages", Enables: "Instagram direct messages"},
	{Name: "ads_read", Or: "ads_management", Enables: "Instagram comments, media and tags when the Page is managed in Business Manager (not needed otherwise)"},
}

// Setup is the sign-in side of the connector: it talks Graph with a user
// token to find Pages and check permissions.
type Setup struct {
	http             *psync.HTTPClient
	version          string
	appID, appSecret string
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

// NewLongLivedSetup exchanges a user token for a long-lived one with the
// app's id and secret and prepares Graph calls with it, so the Page tokens
// it lists do not expire. Every call carries appsecret_proof.
func NewLongLivedSetup(ctx context.Context, baseURL, version, appID, appSecret, userToken string) (*Setup, error) {
	long, err := ExchangeUserToken(ctx, baseURL, version, appID, appSecret, userToken)
	if err != nil {
		return nil, err
	}
	s, err := NewSetup(baseURL, version, long.Value)
	if err != nil {
		return nil, err
	}
	s.appID, s.appSecret = appID, appSecret
	s.http.HTTP.Transport = &proofTransport{base: s.http.HTTP.Transport, secret: func(context.Context) (string, error) { return appSecret, nil }}
	return s, nil
}

// PageTokenExpiry is when the Page's token stops working (zero: never), by
// /debug_token asked as the app.
func (s *Setup) PageTokenExpiry(ctx context.Context, p Page) (time.Time, error) {
	info, err := DebugToken(ctx, s.http.Base.String(), s.version, p.Token, s.appID, s.appSecret)
	if err != nil {
		return time.Time{}, err
	}
	if !info.Valid {
		return time.Time{}, fmt.Errorf("Meta says the token for the Page %q is not valid", p.Name)
	}
	return info.ExpiresAt, nil
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
		if !granted[p.Name] && (p.Or == "" || !granted[p.Or]) {
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
	if s.appSecret != "" {
		c.HTTP.Transport = s.http.HTTP.Transport
	}
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

// LongLivedInstagramToken turns a pasted Instagram Login token into a 60-day
// one: exchanged with the Instagram app secret if it is a short-lived login
// token, else refreshed if it is already long-lived and a day old. A token
// neither works for (a long-lived one under a day old) is kept as given;
// the connector refreshes it in its second week. note says what happened.
func LongLivedInstagramToken(ctx context.Context, baseURL, appSecret, token string) (tok Token, note string) {
	long, exErr := ExchangeInstagramToken(ctx, baseURL, appSecret, token)
	if exErr == nil {
		return long, "exchanged for a 60-day token"
	}
	fresh, rErr := RefreshInstagramToken(ctx, baseURL, token)
	if rErr == nil {
		return fresh, "refreshed for another 60 days"
	}
	return Token{Value: token}, fmt.Sprintf("kept as given: Meta would neither exchange it (%v) nor refresh it (%v); a 60-day token from the App Dashboard is refreshed by parley from its second week; a one-hour login token needs the Instagram app secret", exErr, rErr)
}
