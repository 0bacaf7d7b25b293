package telegram

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/parleyhq/parley/inbox"
	psync "github.com/parleyhq/parley/sync"
)

// Perform implements sync.Connector: reply (sendMessage), delete
// (deleteMessage) and block (banChatMember / banChatSenderChat).
func (c *Connector) Perform(ctx context.Context, a psync.Action) (psync.Receipt, error) {
	kind, chatID, ok := splitConv(a.ConversationID)
	if !ok {
		return psync.Receipt{}, psync.Permanent(fmt.Errorf("telegram: %q is not a Telegram conversation id", a.ConversationID))
	}
	target, hasTarget := splitMsg(a.TargetID)
	if hasTarget && target.chat != chatID {
		hasTarget = false // a target from another chat (a migrated group) cannot be quoted
	}
	switch a.Kind {
	case inbox.ActionReply:
		return c.reply(ctx, a, kind, chatID, target, hasTarget)
	case inbox.ActionDelete:
		if !hasTarget {
			return psync.Receipt{}, psync.Permanent(errors.New("telegram: no message to delete"))
		}
		return psync.Receipt{}, c.delete(ctx, chatID, target.id)
	case inbox.ActionBlock:
		if kind == "dm" {
			return psync.Receipt{}, psync.Permanent(errors.New("telegram: a bot cannot block a person in a private chat; they can keep writing to it (mark the conversation done instead)"))
		}
		if !hasTarget || target.sender == 0 {
			return psync.Receipt{}, psync.Permanent(errors.New("telegram: who wrote this message is unknown, so nobody can be banned"))
		}
		return psync.Receipt{}, c.ban(ctx, chatID, target.sender)
	}
	return psync.Receipt{}, psync.Permanent(fmt.Errorf("telegram cannot %s", a.Kind))
}

// sendState is what parley knows of an earlier attempt of one reply.
type sendState int

const (
	sendUnknown sendState = iota // no attempt in this process
	sendRefused                  // Telegram answered with an error: nothing was sent
	sendMaybe                    // no clear answer: it may have been sent
)

type sendParams struct {
	ChatID          int64            `json:"chat_id"`
	Text            string           `json:"text"`
	ReplyParameters *replyParameters `json:"reply_parameters,omitempty"`
}

type replyParameters struct {
	MessageID                int64 `json:"message_id"`
	AllowSendingWithoutReply bool  `json:"allow_sending_without_reply,omitempty"`
}

// reply sends plain text (no parse mode, so nothing in it is markup). In a
// group it quotes the message answered, which also places it in that
// message's thread or topic; in a private chat it quotes only when the
// message still exists.
//
// sendMessage has no idempotency key and a bot cannot read the chat back,
// so parley cannot look whether an attempt whose answer was lost went
// through. It retries only attempts Telegram clearly refused; any other
// repeat fails with a note to check the chat, rather than risk posting the
// answer twice.
func (c *Connector) reply(ctx context.Context, a psync.Action, kind string, chatID int64, target msgRef, hasTarget bool) (psync.Receipt, error) {
	if n := len(utf16.Encode([]rune(a.Body))); n > textLimit.Max {
		// Telegram counts in UTF-16 units: an emoji counts twice.
		return psync.Receipt{}, psync.Permanent(fmt.Errorf("telegram: the reply is %d over Telegram's limit of 4096 (emoji count twice); shorten it", n-textLimit.Max))
	}
	c.mu.Lock()
	state := c.sends[a.IdempotencyKey]
	c.mu.Unlock()
	if a.Attempt > 1 && state != sendRefused {
		return psync.Receipt{}, psync.Permanent(errors.New("telegram: an earlier attempt of this reply got no clear answer and may have been delivered; " +
			"bots cannot read the chat to check — look in Telegram and send it again only if it is missing"))
	}
	p := sendParams{ChatID: chatID, Text: a.Body}
	if hasTarget {
		p.ReplyParameters = &replyParameters{MessageID: target.id, AllowSendingWithoutReply: kind == "dm"}
	}
	if err := c.pace.wait(ctx, chatID, kind != "dm"); err != nil {
		return psync.Receipt{}, err
	}
	var m message
	err := c.api.call(ctx, "sendMessage", p, &m)
	if err != nil {
		st := sendMaybe
		if refused(err) {
			st = sendRefused
		}
		c.mu.Lock()
		c.sends[a.IdempotencyKey] = st
		c.mu.Unlock()
		switch {
		case isCode(err, 400, "message to be replied not found"):
			return psync.Receipt{}, psync.Permanent(fmt.Errorf("%v — the message answered was deleted; answer in the group without quoting", err))
		case isCode(err, 400, "too long"):
			return psync.Receipt{}, psync.Permanent(fmt.Errorf("%v — shorten the reply", err))
		}
		return psync.Receipt{}, err
	}
	c.mu.Lock()
	delete(c.sends, a.IdempotencyKey)
	c.mu.Unlock()
	if m.MessageID == 0 {
		return psync.Receipt{}, psync.Permanent(errors.New("telegram sendMessage: accepted without a message id; the reply was probably sent — check the chat"))
	}
	if m.Chat.ID == 0 {
		m.Chat.ID = chatID
	}
	return psync.Receipt{ExternalID: msgID(m.Chat.ID, m.MessageID, sender(&m)), Permalink: permalink(m.Chat, m.MessageID)}, nil
}

// refused reports whether Telegram itself answered with an error, so the
// message was certainly not sent.
func refused(err error) bool {
	var ae *apiError
	var be *blockedError
	var rl *psync.RateLimitError
	return errors.As(err, &ae) || errors.As(err, &be) || errors.As(err, &rl) || errors.Is(err, psync.ErrAuth)
}

func (c *Connector) delete(ctx context.Context, chatID, id int64) error {
	err := c.api.call(ctx, "deleteMessage", map[string]int64{"chat_id": chatID, "message_id": id}, nil)
	switch {
	case isCode(err, 400, "message to delete not found"):
		return nil // already gone: what was asked for is true
	case isCode(err, 400, "can't be deleted"):
		return psync.Permanent(fmt.Errorf("%v — the bot must be an administrator allowed to delete messages, and messages older than 48 hours cannot be deleted", err))
	}
	return err
}

func (c *Connector) ban(ctx context.Context, chatID, who int64) error {
	var err error
	if who < 0 {
		// Someone writing as a channel: ban the channel.
		err = c.api.call(ctx, "banChatSenderChat", map[string]int64{"chat_id": chatID, "sender_chat_id": who}, nil)
	} else {
		err = c.api.call(ctx, "banChatMember", map[string]int64{"chat_id": chatID, "user_id": who}, nil)
	}
	if isCode(err, 400, "not enough rights") || isCode(err, 400, "chat_admin_required") {
		return psync.Permanent(fmt.Errorf("%v — make the bot an administrator allowed to ban users", err))
	}
	if isCode(err, 400, "user is an administrator") {
		return psync.Permanent(fmt.Errorf("%v — administrators cannot be banned by the bot", err))
	}
	return err
}

// splitConv reads "dm:CHAT", "thread:CHAT:ROOT" or "topic:CHAT:TOPIC".
func splitConv(id string) (kind string, chat int64, ok bool) {
	fs := strings.Split(id, ":")
	if len(fs) < 2 {
		return "", 0, false
	}
	chat, err := strconv.ParseInt(fs[1], 10, 64)
	if err != nil || chat == 0 {
		return "", 0, false
	}
	switch {
	case fs[0] == "dm" && len(fs) == 2, (fs[0] == "thread" || fs[0] == "topic") && len(fs) == 3:
		return fs[0], chat, true
	}
	return "", 0, false
}

type msgRef struct{ chat, id, sender int64 }

// splitMsg reads "msg:CHAT:ID:SENDER".
func splitMsg(id string) (msgRef, bool) {
	fs := strings.Split(id, ":")
	if len(fs) != 4 || fs[0] != "msg" {
		return msgRef{}, false
	}
	var r msgRef
	for i, p := range []*int64{&r.chat, &r.id, &r.sender} {
		n, err := strconv.ParseInt(fs[i+1], 10, 64)
		if err != nil {
			return msgRef{}, false
		}
		*p = n
	}
	return r, r.chat != 0 && r.id != 0
}
