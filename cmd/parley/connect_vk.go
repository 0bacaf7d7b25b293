package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	psync "github.com/parleyhq/parley/sync"
	"github.com/parleyhq/parley/sync/vk"
)

// parley connect vk: the community token through the shared flow, the
// admin user token through its own flags or a second paste; each is checked
// and what a missing one disables is said.
func init() {
	registerConnector(connector{
		network: "vk",
		example: "parley connect vk --token-file ~/vk-community.token --user-token-file ~/vk-user.token",
		short:   "connect a VK community (community token and admin user token)",
		long: "VK accepts each method with one kind of token only. The community token (Manage → API usage →\n" +
			"Access tokens; rights: messages, manage) serves community messages, Long Poll and wall replies.\n" +
			"The admin user token (scopes wall, groups, market, offline) reads the wall, boards and market,\n" +
			"deletes comments, answers in boards and the market and bans. Without it those are off, and parley says so.",
		prompt: "Paste the VK community access token: ",
		flags: func(fs *pflag.FlagSet) {
			fs.String("user-token-file", "", "read the admin user token from this file (mode 0600)")
			fs.String("user-token-env", "", "read the admin user token from this environment variable")
			fs.String("base-url", "https://api.vk.com", "VK API address (tests use a local one)")
		},
		verify: verifyVK,
	})
}

func verifyVK(ctx context.Context, r *connectRun) ([]connected, error) {
	base := r.String("base-url")
	cc, err := vk.CheckCommunityToken(ctx, base, r.Token)
	if err != nil {
		return nil, fmt.Errorf("the community token: %w", err)
	}
	opts := map[string]any{"group_id": cc.ID}
	if base != "https://api.vk.com" {
		opts["base_url"] = base
	}
	file, env := r.String("user-token-file"), r.String("user-token-env")
	user := ""
	switch {
	case file != "" || env != "":
		if file != "" {
			if file, err = filepath.Abs(file); err != nil {
				return nil, err
			}
		}
		if user, err = tokenFrom(file, env, "", r.In, r.Out); err != nil {
			return nil, fmt.Errorf("the user token: %w", err)
		}
	default:
		fmt.Fprint(r.Out, "Paste an admin user token of the community (scopes wall, groups, market, offline), or press Enter to skip: ")
		line, _ := r.In.ReadString('\n')
		user = strings.TrimSpace(line)
	}
	admin := false
	if user != "" {
		cs, err := vk.AdminCommunities(ctx, base, user)
		if err != nil {
			return nil, fmt.Errorf("the user token: %w", err)
		}
		fmt.Fprintln(r.Out, "The user token administers:")
		for _, c := range cs {
			fmt.Fprintf(r.Out, "  %s (id %d)\n", c.Name, c.ID)
			admin = admin || c.ID == cc.ID
		}
		switch {
		case file != "":
			opts["user_token_file"] = file
		case env != "":
			opts["user_token_env"] = env
		default:
			path := filepath.Join(defaultPaths().ConfigDir, "secrets", safeName(fmt.Sprintf("vk-%d-user", cc.ID))+".token")
			if err := psync.WriteSecretFile(path, user); err != nil {
				return nil, fmt.Errorf("saving the user token: %w", err)
			}
			opts["user_token_file"] = path
		}
	}
	for _, d := range vk.Disabled(&cc, user != "", admin) {
		fmt.Fprintln(r.Out, "! "+d)
	}
	return []connected{{ID: fmt.Sprint(cc.ID), Label: cc.Name + " (VK)", Options: opts, Key: []string{"group_id"}, Token: r.Token,
		Done: "New comments and messages arrive through VK's Long Poll within seconds."}}, nil
}
