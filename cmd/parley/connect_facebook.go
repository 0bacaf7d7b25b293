package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	psync "github.com/parleyhq/parley/sync"
	"github.com/parleyhq/parley/sync/facebook"
)

// runConnectFacebook is `parley connect facebook`: take a user token and
// the Meta app's id and secret, exchange the token for a long-lived one,
// list the Pages it manages, save the chosen Page's (non-expiring) token and
// the app secret (0600 each), say which permissions are missing and what
// that disables, and add the account (and with --instagram the Page's
// Instagram account) to the config.
func runConnectFacebook(args []string, stdin io.Reader, stdout io.Writer) error {
	var c common
	fs := flag.NewFlagSet("parley connect facebook", flag.ContinueOnError)
	c.flags(fs)
	tokenFile := fs.String("token-file", "", "read the user token from this file (mode 0600)")
	tokenEnv := fs.String("token-env", "", "read the user token from this environment variable")
	pageID := fs.String("page", "", "the Page id to connect (default: ask, or the only one)")
	appID := fs.String("app-id", "", "the Meta app's id (default: ask)")
	secretFile := fs.String("app-secret-file", "", "read the app secret from this file (mode 0600)")
	secretEnv := fs.String("app-secret-env", "", "read the app secret from this environment variable")
	withIG := fs.Bool("instagram", false, "also connect the Page's Instagram professional account")
	version := fs.String("api-version", "v25.0", "Graph API version to pin")
	base := fs.String("base-url", "https://graph.facebook.com", "Graph API address (tests use a local one)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := c.load("parley.db"); err != nil {
		return err
	}
	in := bufio.NewReader(stdin)
	userToken, err := tokenFrom(*tokenFile, *tokenEnv, "Paste a Facebook user access token (Graph API Explorer or your app's login): ", in, stdout)
	if err != nil {
		return err
	}
	if *appID == "" {
		fmt.Fprint(stdout, "Meta app id (App Dashboard → App settings → Basic): ")
		line, _ := in.ReadString('\n')
		*appID = strings.TrimSpace(line)
	}
	appSecret, err := tokenFrom(*secretFile, *secretEnv, "App secret (same page; stored 0600, never shown): ", in, stdout)
	if err != nil || *appID == "" {
		return errors.New("the app id and app secret are needed to turn the token into one that lasts (App Dashboard → App settings → Basic)")
	}
	ctx := context.Background()
	setup, err := facebook.NewLongLivedSetup(ctx, *base, *version, *appID, appSecret, userToken)
	if err != nil {
		return err
	}
	needed := facebook.Needed
	if *withIG {
		needed = append(append([]facebook.Permission{}, needed...), facebook.NeededInstagram...)
	}
	missing, err := setup.Missing(ctx, needed)
	if err != nil {
		return err
	}
	for _, p := range missing {
		name := p.Name
		if p.Or != "" {
			name += " (or " + p.Or + ")"
		}
		fmt.Fprintf(stdout, "! missing permission %s: %s will not work\n", name, p.Enables)
	}
	pages, err := setup.Pages(ctx)
	if err != nil {
		return err
	}
	if len(pages) == 0 {
		return errors.New("this token manages no Pages (it needs a Page role and the pages_show_list permission)")
	}
	page, err := choosePage(pages, *pageID, in, stdout)
	if err != nil {
		return err
	}
	switch exp, err := setup.PageTokenExpiry(ctx, page); {
	case err != nil:
		fmt.Fprintf(stdout, "! could not check the Page token's expiry: %v\n", err)
	case exp.IsZero():
		fmt.Fprintln(stdout, "The Page token does not expire.")
	default:
		fmt.Fprintf(stdout, "! the Page token expires %s; parley accounts warns before then\n", exp.Local().Format("2006-01-02 15:04"))
	}
	secret := filepath.Join(c.paths.ConfigDir, "secrets", safeName("facebook-"+page.ID)+".token")
	if err := psync.WriteSecretFile(secret, page.Token); err != nil {
		return fmt.Errorf("saving the Page token: %w", err)
	}
	appSecretFile := filepath.Join(c.paths.ConfigDir, "secrets", safeName("facebook-app-"+*appID)+".secret")
	if err := psync.WriteSecretFile(appSecretFile, appSecret); err != nil {
		return fmt.Errorf("saving the app secret: %w", err)
	}
	opts := map[string]any{"page_id": page.ID, "api_version": *version, "token_file": secret, "app_id": *appID, "app_secret_file": appSecretFile}
	if *base != "https://graph.facebook.com" {
		opts["base_url"] = *base
	}
	label := page.Name + " (Facebook)"
	if err := appendAccount(c.cfg.path, AccountConfig{Network: "facebook", Label: label, Options: opts}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Connected the Page %q as %q.\n", page.Name, label)
	if *withIG {
		igID, user, err := setup.Instagram(ctx, page)
		if err != nil {
			return err
		}
		igOpts := map[string]any{}
		for k, v := range opts {
			igOpts[k] = v
		}
		igOpts["ig_user_id"] = igID
		igLabel := "@" + user + " (Instagram)"
		if err := appendAccount(c.cfg.path, AccountConfig{Network: "instagram", Label: igLabel, Options: igOpts}); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Connected its Instagram account as %q.\n", igLabel)
	}
	fmt.Fprintln(stdout, "Page reviews (the ratings edge) are not available on current Graph versions; parley does not sync them.")
	return nil
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
