package telegram

import (
	"context"
	"fmt"
	"strings"
)

// The sign-in side, for `parley connect telegram`: check the token with
// getMe and say what the bot will and will not see.

// Bot is who a token belongs to and what stands in its way.
type Bot struct {
	ID       int64
	Username string
	Name     string
	// PrivacyMode is on: in groups where it is not an administrator the
	// bot sees only commands and replies to itself.
	PrivacyMode bool
	// Webhook is the URL a webhook is set to: while it is, getUpdates
	// fails with 409 and parley cannot poll.
	Webhook string
}

func fixed(token string) func(context.Context) (string, error) {
	return func(context.Context) (string, error) { return token, nil }
}

// CheckBot asks Telegram whose token it is (getMe) and whether a webhook
// is set (getWebhookInfo).
func CheckBot(ctx context.Context, baseURL, token string) (Bot, error) {
	a, err := newAPI(baseURL, fixed(strings.TrimSpace(token)))
	if err != nil {
		return Bot{}, err
	}
	var me user
	if err := a.call(ctx, "getMe", nil, &me); err != nil {
		return Bot{}, err
	}
	if !me.IsBot || me.ID == 0 {
		return Bot{}, fmt.Errorf("this token does not belong to a bot")
	}
	b := Bot{ID: me.ID, Username: me.Username, Name: strings.TrimSpace(me.FirstName + " " + me.LastName), PrivacyMode: !me.CanReadAllGroupMessages}
	var wh webhookInfo
	if err := a.call(ctx, "getWebhookInfo", nil, &wh); err != nil {
		return Bot{}, err
	}
	b.Webhook = wh.URL
	return b, nil
}

// DeleteWebhook removes the bot's webhook so it can be polled, keeping
// the updates waiting.
func DeleteWebhook(ctx context.Context, baseURL, token string) error {
	a, err := newAPI(baseURL, fixed(strings.TrimSpace(token)))
	if err != nil {
		return err
	}
	return a.call(ctx, "deleteWebhook", map[string]bool{"drop_pending_updates": false}, nil)
}

// Explain says, one line each, what the manager should know about the bot.
func (b Bot) Explain() []string {
	out := []string{
		"Add the bot to your channel's discussion group and to your groups as an administrator (allowed to delete messages and ban users).",
		"People reach you privately by opening @" + b.Username + " and pressing Start: a bot cannot write first.",
		"Telegram keeps messages for the bot only 24 hours: keep `parley sync` (or the TUI) running, or messages are lost.",
	}
	if b.PrivacyMode {
		out = append(out, "Privacy mode is on: in groups where the bot is not an administrator it sees only commands and replies to itself. "+
			"Make it an administrator, or turn privacy off in @BotFather → /mybots → Bot Settings → Group Privacy (then re-add it to each group).")
	}
	if b.Webhook != "" {
		out = append(out, "A webhook is set for this bot, so parley cannot poll it (Telegram allows one or the other). "+
			"Run again with --delete-webhook to remove it, if nothing else needs it.")
	}
	return out
}
