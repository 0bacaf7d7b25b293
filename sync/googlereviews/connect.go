package googlereviews

import (
	"context"
	"net/http"
	"net/url"

	psync "github.com/parleyhq/parley/sync"
)

// The newer v1 APIs that list what the signed-in user manages; reviews
// themselves stay on v4.
const (
	AccountsBase  = "https://mybusinessaccountmanagement.googleapis.com"
	LocationsBase = "https://mybusinessbusinessinformation.googleapis.com"
)

// Account is a Business Profile account (a business or a location group).
type Account struct {
	Name        string `json:"name"` // accounts/1234
	AccountName string `json:"accountName"`
	Type        string `json:"type"`
}

// Location is one place of an account.
type Location struct {
	Name  string `json:"name"` // locations/5678
	Title string `json:"title"`
}

// Accounts lists the accounts the signed-in user manages (base: "" for
// Google's).
func Accounts(ctx context.Context, base string, tr http.RoundTripper) ([]Account, error) {
	if base == "" {
		base = AccountsBase
	}
	var out []Account
	err := pages(ctx, base, tr, "/v1/accounts", nil, func(raw *listPage) {
		out = append(out, raw.Accounts...)
	})
	return out, err
}

// Locations lists an account's locations (readMask is required).
func Locations(ctx context.Context, base string, tr http.RoundTripper, account string) ([]Location, error) {
	if base == "" {
		base = LocationsBase
	}
	var out []Location
	err := pages(ctx, base, tr, "/v1/"+account+"/locations", url.Values{"readMask": {"name,title"}, "pageSize": {"100"}}, func(raw *listPage) {
		out = append(out, raw.Locations...)
	})
	return out, err
}

// listPage is a page of accounts.list or locations.list.
type listPage struct {
	Accounts      []Account  `json:"accounts"`
	Locations     []Location `json:"locations"`
	NextPageToken string     `json:"nextPageToken"`
}

// pages follows nextPageToken through a v1 list.
func pages(ctx context.Context, base string, tr http.RoundTripper, path string, q url.Values, take func(*listPage)) error {
	c, err := newHTTP(base, tr)
	if err != nil {
		return err
	}
	if q == nil {
		q = url.Values{}
	}
	for range 100 {
		var raw listPage
		if _, err := c.Do(ctx, psync.Request{Method: "GET", Path: path, Query: q}, &raw); err != nil {
			return err
		}
		take(&raw)
		if raw.NextPageToken == "" {
			return nil
		}
		q.Set("pageToken", raw.NextPageToken)
	}
	return nil
}
