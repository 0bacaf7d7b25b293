package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/parleyhq/parley/sync/googleauth"
	"github.com/parleyhq/parley/sync/googlereviews"
)

// parley connect google-reviews: sign in with Google (business.manage),
// pick the Business Profile account and the locations whose reviews to
// follow.
func init() {
	registerConnector(connector{
		network: "google-reviews",
		example: "parley connect google-reviews --client-id 1234-abc.apps.googleusercontent.com",
		short:   "connect Google reviews of your Business Profile locations",
		long: "Needs an OAuth client of type \"Desktop app\" in a Google Cloud project that Google has granted\n" +
			"Business Profile API access (the \"Application for Basic API Access\"; until then every call\n" +
			"answers quota 0). Prints a Google sign-in address; over SSH paste back the address of the page\n" +
			"the browser ends on. Lists your accounts and locations to choose from.",
		flags: func(fs *pflag.FlagSet) {
			googleFlags(fs)
			fs.String("account", "", "the Business Profile account, accounts/… (default: ask, or the only one)")
			fs.String("locations", "", "locations to follow, comma-separated locations/… (default: ask)")
			fs.String("base-url", "", "one address for all Business Profile APIs (tests use a local one)")
		},
		signIn: func(ctx context.Context, r *connectRun) (string, error) {
			return googleSignIn(ctx, r, googleauth.ScopeBusiness)
		},
		verify: verifyGoogleReviews,
	})
}

func verifyGoogleReviews(ctx context.Context, r *connectRun) ([]connected, error) {
	gc, err := googleClient(r, googleauth.ScopeBusiness)
	if err != nil {
		return nil, err
	}
	tr := &googleauth.Transport{Config: gc.cfg, Network: "google-reviews", Refresh: func(context.Context) (string, error) { return r.Token, nil }}
	base := r.String("base-url")
	accs, err := googlereviews.Accounts(ctx, base, tr)
	if err != nil {
		return nil, err
	}
	if len(accs) == 0 {
		return nil, errors.New("this Google account manages no Business Profile (sign in as an owner or manager of the business)")
	}
	names := make([]string, len(accs))
	for i, a := range accs {
		names[i] = a.AccountName + " (" + a.Name + ")"
	}
	want := r.String("account")
	if want != "" && !strings.HasPrefix(want, "accounts/") {
		want = "accounts/" + want
	}
	i, err := pick(r, "account", names, func(i int) bool { return accs[i].Name == want }, want)
	if err != nil {
		return nil, err
	}
	acc := accs[i]
	locs, err := googlereviews.Locations(ctx, base, tr, acc.Name)
	if err != nil {
		return nil, err
	}
	if len(locs) == 0 {
		return nil, fmt.Errorf("%s has no locations", acc.AccountName)
	}
	chosen, err := chooseLocations(r, locs)
	if err != nil {
		return nil, err
	}
	opts, err := gc.options(r)
	if err != nil {
		return nil, err
	}
	opts["account"], opts["locations"] = acc.Name, chosen
	if base != "" {
		opts["base_url"] = base
	}
	id := strings.TrimPrefix(acc.Name, "accounts/")
	return []connected{{ID: id, Label: acc.AccountName + " (Google reviews)", Options: opts, Key: []string{"account"}, Token: r.Token,
		Done: fmt.Sprintf("Reviews of %d location(s) sync from now on (backlog_days sets how far back the first sync reaches).", len(chosen))}}, nil
}

// chooseLocations takes --locations, or asks (numbers or "all").
func chooseLocations(r *connectRun, locs []googlereviews.Location) ([]string, error) {
	known := map[string]bool{}
	for _, l := range locs {
		known[l.Name] = true
	}
	if flag := r.String("locations"); flag != "" {
		var out []string
		for _, s := range strings.Split(flag, ",") {
			if s = strings.TrimSpace(s); s == "" {
				continue
			}
			if !strings.HasPrefix(s, "locations/") {
				s = "locations/" + s
			}
			if !known[s] {
				return nil, fmt.Errorf("the account has no location %s", s)
			}
			out = append(out, s)
		}
		return out, nil
	}
	if len(locs) == 1 {
		return []string{locs[0].Name}, nil
	}
	for i, l := range locs {
		fmt.Fprintf(r.Out, "%d) %s (%s)\n", i+1, l.Title, l.Name)
	}
	ans := r.Ask("Which locations? (numbers separated by commas, or all) ")
	if strings.EqualFold(ans, "all") {
		out := make([]string, len(locs))
		for i, l := range locs {
			out[i] = l.Name
		}
		return out, nil
	}
	var out []string
	for _, s := range strings.Split(ans, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 || n > len(locs) {
			return nil, fmt.Errorf("no location number %q", strings.TrimSpace(s))
		}
		out = append(out, locs[n-1].Name)
	}
	return out, nil
}
