package main

import (
	"context"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/parleyhq/parley/sync/telegram"
)

// parley connect telegram: the bot token from @BotFather through the
// shared flow, checked with getMe; what the bot will not see is said.
func init() {
	registerConnector(connector{
		network: "telegram",
		example: "parley connect telegram --token-file ~/acme-bot.token",
		short:   "connect a Telegram bot (its token from @BotFather)",
		long: "parley answers as a bot the brand owns: private chats with the bot, comments in the brand\n" +
			"channel's discussion group (grouped per channel post) and groups the bot administers.\n" +
			"Create the bot with @BotFather (/newbot) and make it an administrator of the discussion group.",
		prompt: "Paste the bot token from @BotFather (123456:ABC-…): ",
		flags: func(fs *pflag.FlagSet) {
			fs.Bool("delete-webhook", false, "remove the bot's webhook so parley can poll it")
			fs.String("base-url", telegram.DefaultBaseURL, "Bot API address (tests use a local one)")
		},
		verify: verifyTelegram,
	})
}

func verifyTelegram(ctx context.Context, r *connectRun) ([]connected, error) {
	base := r.String("base-url")
	bot, err := telegram.CheckBot(ctx, base, r.Token)
	if err != nil {
		return nil, fmt.Errorf("the bot token: %w", err)
	}
	if bot.Webhook != "" && r.Bool("delete-webhook") {
		if err := telegram.DeleteWebhook(ctx, base, r.Token); err != nil {
			return nil, fmt.Errorf("removing the webhook: %w", err)
		}
		fmt.Fprintln(r.Out, "The webhook was removed; waiting updates are kept.")
		bot.Webhook = ""
	}
	fmt.Fprintf(r.Out, "The token belongs to @%s (%s).\n", bot.Username, bot.Name)
	for _, line := range bot.Explain() {
		fmt.Fprintln(r.Out, "! "+line)
	}
	opts := map[string]any{"bot_id": bot.ID}
	if base != telegram.DefaultBaseURL {
		opts["base_url"] = base
	}
	return []connected{{ID: fmt.Sprint(bot.ID), Label: "@" + bot.Username + " (Telegram)", Options: opts, Key: []string{"bot_id"},
		Token: r.Token, Done: "New messages arrive within seconds while parley runs."}}, nil
}
