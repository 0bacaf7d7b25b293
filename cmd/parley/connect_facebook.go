package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/parleyhq/parley/sync/facebook"
)

// parley connect facebook: take a user token, list the Pages it manages,
// keep the chosen Page's token, say which permissions are missing and what
// that disables; with --instagram also the Page's Instagram account.
func init() {
	registerConnector(connector{
		network: "facebook",
		example: "parley connect facebook --instagram",
		short:   "connect a Facebook Page (and with --instagram its Instagram account)",
		long: "Takes a Facebook user access token (Graph API Explorer or your app's login), lists the\n" +
			"Pages it manages and keeps the chosen Page's token. Missing permissions are named with\n" +
			"what they disable.",
		prompt: "Paste a Facebook user access token (Graph API Explorer or your app's login): ",
		flags: func(fs *pflag.FlagSet) {
			fs.String("page", "", "the Page id to connect (default: ask, or the only one)")
			fs.Bool("instagram", false, "also connect the Page's Instagram professional account")
			fs.String("api-version", "v25.0", "Graph API version to pin")
			fs.String("base-url", "https://graph.facebook.com", "Graph API address (tests use a local one)")
		},
		verify: verifyFacebook,
	})
}

func verifyFacebook(ctx context.Context, r *connectRun) ([]connected, error) {
	version, base := r.String("api-version"), r.String("base-url")
	setup, err := facebook.NewSetup(base, version, r.Token)
	if err != nil {
		return nil, err
	}
	needed := facebook.Needed
	if r.Bool("instagram") {
		needed = append(append([]facebook.Permission{}, needed...), facebook.NeededInstagram...)
	}
	missing, err := setup.Missing(ctx, needed)
	if err != nil {
		return nil, err
	}
	for _, p := range missing {
		fmt.Fprintf(r.Out, "! missing permission %s: %s will not work\n", p.Name, p.Enables)
	}
	pages, err := setup.Pages(ctx)
	if err != nil {
		return nil, err
	}
	if len(pages) == 0 {
		return nil, errors.New("this token manages no Pages (it needs a Page role and the pages_show_list permission)")
	}
	page, err := choosePage(pages, r.String("page"), r.In, r.Out)
	if err != nil {
		return nil, err
	}
	opts := map[string]any{"page_id": page.ID, "api_version": version}
	if base != "https://graph.facebook.com" {
		opts["base_url"] = base
	}
	secret := "facebook-" + page.ID
	out := []connected{{ID: page.ID, Label: page.Name + " (Facebook)", Options: opts, Key: []string{"page_id"},
		Token: page.Token, Secret: secret,
		Done: "Page reviews (the ratings edge) are not available on current Graph versions; parley does not sync them."}}
	if r.Bool("instagram") {
		igID, user, err := setup.Instagram(ctx, page)
		if err != nil {
			return nil, err
		}
		igOpts := map[string]any{"ig_user_id": igID}
		for k, v := range opts {
			igOpts[k] = v
		}
		out = append(out, connected{Network: "instagram", ID: igID, Label: "@" + user + " (Instagram)", Options: igOpts,
			Key: []string{"ig_user_id"}, Token: page.Token, Secret: secret, Done: "Its comments and direct messages sync through the Page."})
	}
	return out, nil
}

func choosePage(pages []facebook.Page, id string, in *bufio.Reader, out io.Writer) (facebook.Page, error) {
	if id != "" {
		for _, p := range pages {
			if p.ID == id {
				return p, nil
			}
		}
		return facebook.Page{}, fmt.Errorf("the token does not manage a Page with id %s", id)
	}
	if len(pages) == 1 {
		return pages[0], nil
	}
	for i, p := range pages {
		fmt.Fprintf(out, "%d) %s (%s)\n", i+1, p.Name, p.ID)
	}
	fmt.Fprint(out, "Which Page? ")
	line, _ := in.ReadString('\n')
	n, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil || n < 1 || n > len(pages) {
		return facebook.Page{}, fmt.Errorf("no Page number %q", strings.TrimSpace(line))
	}
	return pages[n-1], nil
}
