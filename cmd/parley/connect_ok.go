package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/spf13/pflag"

	"github.com/parleyhq/parley/sync/ok"
)

// parley connect ok: a group administrator's access token through the
// shared flow, the application's key and secret key (OK signs every
// request with them), and optionally the group's Bot API token for chats;
// each is checked and missing permissions are named with how to get them.
func init() {
	registerConnector(connector{
		network: "ok",
		example: "parley connect ok --group 55348644610059 --app-key CBAKLMNOPQ --app-secret-file ~/ok-app.secret --bot-token-file ~/ok-bot.token",
		short:   "connect an Odnoklassniki (OK.ru) group (access token, application key and secret, Bot API token)",
		long: "OK's REST API takes an access token of a group administrator and signs every request with your\n" +
			"application's secret key (ok.ru → Games & apps → My uploaded apps → the app's settings). Reading\n" +
			"topics needs the VALUABLE_ACCESS permission and answering as the group GROUP_CONTENT; OK grants\n" +
			"them on request by e-mail to api-support@ok.ru. Group chats use the group's Bot API token\n" +
			"(group → Settings → Advanced → API access tokens); without it chats are off, and parley says so.",
		prompt: "Paste a group administrator's OK access token: ",
		flags: func(fs *pflag.FlagSet) {
			fs.String("group", "", "the group's numeric id (ok.ru/group/ID; default: the Bot API token's group, or ask)")
			fs.String("app-key", "", "the application's public key (default: ask)")
			fs.String("app-secret-file", "", "read the application's secret key from this file (mode 0600)")
			fs.String("app-secret-env", "", "read the application's secret key from this environment variable")
			fs.String("bot-token-file", "", "read the group's Bot API token from this file (mode 0600)")
			fs.String("bot-token-env", "", "read the group's Bot API token from this environment variable")
			fs.String("base-url", "https://api.ok.ru", "OK API address (tests use a local one)")
		},
		verify: verifyOK,
	})
}

func verifyOK(ctx context.Context, r *connectRun) ([]connected, error) {
	base, group := r.String("base-url"), r.String("group")
	opts := map[string]any{}
	if base != "https://api.ok.ru" {
		opts["base_url"] = base
	}
	botFile, botEnv := r.String("bot-token-file"), r.String("bot-token-env")
	var botToken string
	var err error
	switch {
	case botFile != "" || botEnv != "":
		if botFile != "" {
			if botFile, err = filepath.Abs(botFile); err != nil {
				return nil, err
			}
		}
		if botToken, err = tokenFrom(botFile, botEnv, "", r.In, r.Out); err != nil {
			return nil, fmt.Errorf("the Bot API token: %w", err)
		}
	default:
		botToken = r.Ask("Paste the group's Bot API token (group → Settings → Advanced → API access tokens), or press Enter to skip: ")
	}
	if botToken != "" {
		g, err := ok.CheckBotToken(ctx, base, botToken)
		if err != nil {
			return nil, fmt.Errorf("the Bot API token: %w", err)
		}
		if group != "" && group != g.ID {
			return nil, fmt.Errorf("the Bot API token belongs to group %s, not %s", g.ID, group)
		}
		group = g.ID
		fmt.Fprintf(r.Out, "The Bot API token is the group %q's (id %s).\n", g.Name, g.ID)
	}
	if group == "" {
		group = r.Ask("The group's numeric id (in its address, ok.ru/group/ID): ")
	}
	appKey := r.String("app-key")
	if appKey == "" {
		appKey = r.Ask("The application's public key (its settings on ok.ru): ")
	}
	appSecret, err := r.Secret("app-secret-file", "app-secret-env", "The application's secret key (same page; stored 0600, never shown): ")
	if err != nil || appKey == "" {
		return nil, errors.New("OK signs every request with the application's key and secret key: both are needed (ok.ru → the application's settings)")
	}
	chk, err := ok.CheckToken(ctx, base, appKey, appSecret, "", r.Token, group)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(r.Out, "The access token is %s's (id %s); the group is %q.\n", chk.User.Name, chk.User.ID, chk.Group.Name)
	for _, d := range ok.Disabled(true, botToken != "", chk.Missing) {
		fmt.Fprintln(r.Out, "! "+d)
	}
	opts["group_id"], opts["application_key"] = group, appKey
	switch {
	case r.String("app-secret-file") != "":
		p, err := filepath.Abs(r.String("app-secret-file"))
		if err != nil {
			return nil, err
		}
		opts["app_secret_file"] = p
	case r.String("app-secret-env") != "":
		opts["app_secret_env"] = r.String("app-secret-env")
	default:
		p, err := r.SaveSecret("ok-app-"+appKey, appSecret)
		if err != nil {
			return nil, err
		}
		opts["app_secret_file"] = p
	}
	switch {
	case botFile != "":
		opts["bot_token_file"] = botFile
	case botEnv != "":
		opts["bot_token_env"] = botEnv
	case botToken != "":
		p, err := r.SaveSecret("ok-"+group+"-bot", botToken)
		if err != nil {
			return nil, err
		}
		opts["bot_token_file"] = p
	}
	return []connected{{ID: group, Label: chk.Group.Name + " (OK)", Options: opts, Key: []string{"group_id"}, Token: r.Token,
		Done: "Topic comments and chats are read every poll_interval (default 1m)."}}, nil
}
