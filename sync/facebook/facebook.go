// Package facebook connects a Facebook Page through the Graph API: the
// comments under the Page's posts (each top-level comment a conversation,
// with the post as context), public replies, hide, unhide and delete.
//
// Not yet here (issue 6): the Messenger inbox and Send API with its reply
// windows, private replies, `parley connect facebook`, and Instagram.
package facebook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/parleyhq/parley/inbox"
	psync "github.com/parleyhq/parley/sync"
)

func init() {
	psync.Register("facebook", factory, "page_id", "api_version", "base_url", "human_agent", "app_id", "app_secret_file", "app_secret_env")
}

// Options are an account's [account.options].
type Options struct {
	PageID       string
	Version      string        // Graph API version, pinned: "v25.0"
	BaseURL      string        // https://graph.facebook.com (tests: a local server)
	PollInterval time.Duration // default 1m
	Backlog      time.Duration // posts this recent are checked for comments; default 7 days
	HumanAgent   bool          // the Page may use the HUMAN_AGENT tag (7-day window)
	IGUserID     string        // set: this account is the Page's Instagram professional account
	IGLogin      bool          // Instagram Login: the IG account owns its conversations (no Page)
	// AppID and AppSecret are the Meta app's: with a secret every call
	// carries appsecret_proof, and /debug_token is asked as the app.
	AppID     string
	AppSecret func(context.Context) (string, error)
	// TokenFile is where the token is kept when it came from token_file:
	// a refreshed Instagram Login token is written back there.
	TokenFile string
}

func factory(cfg psync.AccountConfig) (psync.Connector, error) {
	o := Options{Version: "v25.0", BaseURL: "https://graph.facebook.com"}
	var err error
	if o.PollInterval, o.Backlog, err = psync.Schedule(cfg); err != nil {
		return nil, err
	}
	o.PageID, _ = cfg.Options["page_id"].(string)
	if v, ok := cfg.Options["api_version"].(string); ok {
		o.Version = v
	}
	if v, ok := cfg.Options["base_url"].(string); ok {
		o.BaseURL = v
	}
	o.HumanAgent, _ = cfg.Options["human_agent"].(bool)
	if o.PageID == "" {
		return nil, fmt.Errorf("account %q: page_id is missing", cfg.Label)
	}
	o.AppID, _ = cfg.Options["app_id"].(string)
	o.TokenFile, _ = cfg.Options["token_file"].(string)
	if o.AppSecret, err = secretSource(cfg.Label, cfg.Options); err != nil {
		return nil, err
	}
	tok, err := psync.TokenSource(cfg.Label, cfg.Options)
	if err != nil {
		return nil, err
	}
	return New(o, tok)
}

// Connector is one Facebook Page.
type Connector struct {
	opts Options
	http *psync.HTTPClient
	tok  *tokenKeeper
}

// New builds a connector.
func New(o Options, token func(context.Context) (string, error)) (*Connector, error) {
	if !strings.HasPrefix(o.Version, "v") {
		return nil, fmt.Errorf("facebook: api_version %q: pin a version such as \"v25.0\"", o.Version)
	}
	k := &tokenKeeper{source: token, file: o.TokenFile}
	c, err := psync.NewHTTPClient(strings.TrimRight(o.BaseURL, "/"), false, k.get)
	if err != nil {
		return nil, err
	}
	c.MapError, c.Pace = mapError, pace
	if o.AppSecret != nil {
		c.HTTP.Transport = &proofTransport{base: c.HTTP.Transport, secret: o.AppSecret}
	}
	if o.PollInterval <= 0 {
		o.PollInterval = time.Minute
	}
	if o.Backlog <= 0 {
		o.Backlog = 7 * 24 * time.Hour
	}
	return &Connector{opts: o, http: c, tok: k}, nil
}

// Capabilities implements sync.Connector.
func (c *Connector) Capabilities() psync.Capabilities {
	window := standardWindow
	if c.opts.HumanAgent {
		window = humanWindow
	}
	caps := psync.Capabilities{Reply: true, PrivateReply: true, Hide: true, Delete: true, ReplyWindow: window,
		PollInterval: c.opts.PollInterval, Moderation: []inbox.ActionKind{inbox.ActionHide, inbox.ActionUnhide, inbox.ActionDelete, inbox.ActionPrivateReply},
		TextLimit: fbCommentLimit, DMLimit: messengerLimit}
	if c.platform() == "instagram" {
		caps.TextLimit, caps.DMLimit = igCommentLimit, igDMLimit
	}
	return caps
}

// Text limits as Meta documents them: Page comments 8,000 characters,
// Messenger Send API text 2,000 characters, Instagram comments 2,200
// characters, Instagram messages 1,000 bytes of UTF-8.
var (
	fbCommentLimit = inbox.TextLimit{Max: 8000, Unit: inbox.CountChars}
	messengerLimit = inbox.TextLimit{Max: 2000, Unit: inbox.CountChars}
	igCommentLimit = inbox.TextLimit{Max: 2200, Unit: inbox.CountChars}
	igDMLimit      = inbox.TextLimit{Max: 1000, Unit: inbox.CountBytes}
)

func (c *Connector) path(node string) string { return "/" + c.opts.Version + "/" + node }

// graphTime parses Graph timestamps ("2025-03-02T09:14:05+0000").
func graphTime(s string) time.Time {
	t, err := time.Parse("2006-01-02T15:04:05-0700", s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// from is a sender: {id, name} on Facebook; {username, id} on Instagram
// conversations (no name).
type from struct {
	ID       string `json:"id"`
	Name     string `json:"name,omitempty"`
	Username string `json:"username,omitempty"`
}

type post struct {
	ID        string `json:"id"`
	Message   string `json:"message"`
	Created   string `json:"created_time"`
	Permalink string `json:"permalink_url"`
	From      *from  `json:"from"`
}

type comment struct {
	ID      string `json:"id"`
	Message string `json:"message"`
	Created string `json:"created_time"`
	From    *from  `json:"from"`
	Parent  *struct {
		ID string `json:"id"`
	} `json:"parent"`
	Permalink  string           `json:"permalink_url"`
	IsHidden   bool             `json:"is_hidden"`
	Attachment *storyAttachment `json:"attachment,omitempty"`
}

type page[T any] struct {
	Data   []T `json:"data"`
	Paging struct {
		Next string `json:"next"`
	} `json:"paging"`
}

// cursor: comments since this unix time have been stored. ReviewsGone
// and Refused carry the account's standing note from poll to poll.
type cursor struct {
	Since       int64 `json:"since"`
	ReviewsGone bool  `json:"reviews_gone,omitempty"`
	Refused     bool  `json:"refused,omitempty"`
}

// editWindow is how far back each poll re-reads comments: Graph filters by
// creation time, so an edit is seen only while its comment is this recent.
const editWindow = 24 * time.Hour

// maxPages bounds how far one listing is followed; Graph documents that very
// long lists can stop paging early, and a page may be empty with a next link.
const maxPages = 50

const reviewsGoneNote = "Page reviews are not available: the ratings edge is deprecated in this Graph version"

// Fetch implements sync.Connector: the Page's recent posts (feed, visitor
// posts included), and for each the comments made since the cursor, as one
// flat chronological stream (filter=stream) so replies arrive with their
// parent. Each top-level comment is a conversation. A part Meta refuses to
// list is named in the account's note while the other parts sync; when
// every part is refused the account fails with that note.
func (c *Connector) Fetch(ctx context.Context, raw string) (inbox.Batch, error) {
	var cur cursor
	if raw != "" {
		if err := json.Unmarshal([]byte(raw), &cur); err != nil {
			return inbox.Batch{}, psync.Permanent(fmt.Errorf("facebook: unreadable cursor %q", raw))
		}
	}
	tokenNote, err := c.refreshIfDue(ctx)
	if err != nil {
		return inbox.Batch{}, err
	}
	now := c.http.Now()
	since := cur.Since
	if since == 0 {
		since = now.Add(-c.opts.Backlog).Unix()
	}
	var b inbox.Batch
	var ref refusals
	if c.opts.IGUserID != "" {
		ref.tries()
		if err := c.fetchInstagram(ctx, &b, &ref, now.Add(-c.opts.Backlog)); err != nil {
			return inbox.Batch{}, err
		}
		ref.tries()
		if err := ref.check(partIGTags, c.fetchTags(ctx, &b, now.Add(-c.opts.Backlog))); err != nil {
			return inbox.Batch{}, err
		}
	} else {
		ref.tries()
		if err := c.fetchPage(ctx, &b, &ref, now, since); err != nil {
			return inbox.Batch{}, err
		}
	}
	ref.tries()
	if err := ref.check(c.messagesPart(), c.fetchMessenger(ctx, &b, c.platform(), time.Unix(since, 0).Add(-editWindow))); err != nil {
		return inbox.Batch{}, err
	}
	if raw == "" && c.opts.IGUserID == "" {
		cur.ReviewsGone = c.reviewsGone(ctx)
	}
	var notes []string
	if s := ref.String(); s != "" {
		notes = append(notes, s)
	}
	if tokenNote != "" {
		notes = append(notes, tokenNote)
	}
	if cur.ReviewsGone {
		notes = append(notes, reviewsGoneNote)
	}
	b.Notice = strings.Join(notes, "; ")
	if ref.all() {
		return inbox.Batch{}, psync.Permanent(fmt.Errorf("nothing on this account can be read: %s", ref.String()))
	}
	// A refusal that was resolved takes its note with it.
	b.ClearNotice = b.Notice == "" && cur.Refused
	enc, _ := json.Marshal(cursor{Since: now.Unix(), ReviewsGone: cur.ReviewsGone, Refused: ref.String() != ""})
	b.Cursor = string(enc)
	return b, nil
}

// messagesPart is the inbox this account reads.
func (c *Connector) messagesPart() part {
	if c.opts.IGUserID != "" {
		return partIGMessages
	}
	return partMessenger
}

// fetchPage adds the comments on the Page's recent posts.
func (c *Connector) fetchPage(ctx context.Context, b *inbox.Batch, ref *refusals, now time.Time, since int64) error {
	posts, err := list[post](ctx, c, c.path(c.opts.PageID+"/feed"), url.Values{
		"fields": {"id,message,created_time,permalink_url,from"}, "limit": {"25"},
		"since": {fmt.Sprint(now.Add(-c.opts.Backlog).Unix())}})
	if err != nil {
		return ref.check(partPageComments, err)
	}
	for _, p := range posts {
		cs, err := list[comment](ctx, c, c.path(p.ID+"/comments"), url.Values{
			"fields": {"id,message,created_time,from,parent{id},permalink_url,is_hidden," + commentAttachmentFields},
			"filter": {"stream"}, "order": {"chronological"}, "limit": {"100"}, "since": {fmt.Sprint(since - int64(editWindow/time.Second))}})
		if isGone(err) {
			continue // the post was deleted between the listing and now
		}
		if err != nil {
			if err := ref.check(partPageComments, err); err != nil {
				return err
			}
			continue
		}
		if len(cs) == 0 {
			continue
		}
		b.Posts = append(b.Posts, inbox.Post{ExternalID: p.ID, Author: author(p.From), Text: p.Message,
			Permalink: p.Permalink, CreatedAt: graphTime(p.Created)})
		top := map[string]string{} // comment → its top-level comment
		for _, cm := range cs {
			conv := cm.ID
			if cm.Parent != nil && cm.Parent.ID != "" {
				conv = cm.Parent.ID
				if t, ok := top[conv]; ok {
					conv = t
				}
			}
			top[cm.ID] = conv
			dir := inbox.In
			if cm.From != nil && cm.From.ID == c.opts.PageID {
				dir = inbox.Out
			}
			parent := ""
			if cm.Parent != nil {
				parent = cm.Parent.ID
			}
			b.Items = append(b.Items, inbox.Inbound{ConversationID: "comment:" + conv, Kind: inbox.KindComment, PostID: p.ID,
				Message: inbox.Message{ExternalID: cm.ID, ParentID: parent, Direction: dir, Author: author(cm.From),
					Text: cm.Message, Attachments: cm.Attachment.attachments(), CreatedAt: graphTime(cm.Created), Permalink: cm.Permalink}})
		}
	}
	return nil
}

// author copes with the missing "from" Graph sends when privacy hides it,
// and with Instagram's senders, who have a username and no name.
func author(f *from) inbox.Author {
	switch {
	case f == nil:
		return inbox.Author{Name: "Facebook user"}
	case f.Username != "" && f.Name == "":
		return inbox.Author{ID: f.ID, Handle: "@" + f.Username, Name: f.Username}
	}
	return inbox.Author{ID: f.ID, Name: f.Name}
}

// list follows paging.next, bounded, on the same server.
func list[T any](ctx context.Context, c *Connector, path string, q url.Values) ([]T, error) {
	var out []T
	next := ""
	for i := 0; i < maxPages; i++ {
		var pg page[T]
		r := psync.Request{Method: "GET", Path: path, Query: q}
		if next != "" {
			r = psync.Request{Method: "GET", Path: next}
		}
		if _, err := c.http.Do(ctx, r, &pg); err != nil {
			return nil, err
		}
		out = append(out, pg.Data...)
		if pg.Paging.Next == "" || pg.Paging.Next == next {
			break
		}
		next = pg.Paging.Next
	}
	return out, nil
}

// Perform implements sync.Connector.
func (c *Connector) Perform(ctx context.Context, a psync.Action) (psync.Receipt, error) {
	top := strings.TrimPrefix(a.ConversationID, "comment:")
	if strings.HasPrefix(a.ConversationID, "dm:") && a.Kind == inbox.ActionReply {
		return c.sendMessage(ctx, a)
	}
	if strings.HasPrefix(a.ConversationID, "mention:") && a.Kind == inbox.ActionReply {
		return c.replyToMention(ctx, a)
	}
	if strings.HasPrefix(a.ConversationID, tagPrefix) {
		return psync.Receipt{}, errTagged // read-only: checked before any call
	}
	switch a.Kind {
	case inbox.ActionPrivateReply:
		return c.privateReply(ctx, a)
	case inbox.ActionReply:
		// Facebook keeps two levels: a reply goes under the top-level comment.
		if a.Attempt > 1 {
			if r, ok, err := c.findSent(ctx, top, a); err != nil || ok {
				return r, err
			}
		}
		var res struct {
			ID string `json:"id"`
		}
		edge := "/comments"
		if c.opts.IGUserID != "" {
			edge = "/replies"
		}
		_, err := c.http.Do(ctx, psync.Request{Method: "POST", Path: c.path(top + edge),
			Form: url.Values{"message": {a.Body}}}, &res)
		if err != nil {
			return psync.Receipt{}, err
		}
		if res.ID == "" {
			return psync.Receipt{}, errors.New("facebook: the reply was accepted but no id came back")
		}
		return psync.Receipt{ExternalID: res.ID}, nil
	case inbox.ActionHide:
		return psync.Receipt{}, c.setHidden(ctx, a.TargetID, true)
	case inbox.ActionUnhide:
		return psync.Receipt{}, c.setHidden(ctx, a.TargetID, false)
	case inbox.ActionDelete:
		_, err := c.http.Do(ctx, psync.Request{Method: "DELETE", Path: c.path(a.TargetID)}, nil)
		return psync.Receipt{}, err
	}
	return psync.Receipt{}, psync.Permanent(fmt.Errorf("facebook cannot %s yet", a.Kind))
}

func (c *Connector) setHidden(ctx context.Context, id string, hidden bool) error {
	var res struct {
		Success bool `json:"success"`
	}
	field := "is_hidden"
	if c.opts.IGUserID != "" {
		field = "hide"
	}
	_, err := c.http.Do(ctx, psync.Request{Method: "POST", Path: c.path(id), Form: url.Values{field: {fmt.Sprint(hidden)}}}, &res)
	if err == nil && !res.Success {
		err = errors.New("facebook: hide was not confirmed")
	}
	return err
}

// findSent looks for a reply an earlier attempt may have posted before its
// answer was lost: Graph has no idempotency key, so a resend must check.
func (c *Connector) findSent(ctx context.Context, top string, a psync.Action) (psync.Receipt, bool, error) {
	since := a.Queued.Add(-time.Minute).Unix()
	if c.opts.IGUserID != "" {
		rs, err := list[igComment](ctx, c, c.path(top+"/replies"), url.Values{"fields": {"id,text,timestamp,from{id,username}"}})
		if err != nil {
			return psync.Receipt{}, false, err
		}
		for _, r := range rs {
			if r.From != nil && r.From.ID == c.opts.IGUserID && r.Text == a.Body && !graphTime(r.Timestamp).Before(time.Unix(since, 0)) {
				return psync.Receipt{ExternalID: r.ID}, true, nil
			}
		}
		return psync.Receipt{}, false, nil
	}
	cs, err := list[comment](ctx, c, c.path(top+"/comments"), url.Values{
		"fields": {"id,message,created_time,from"}, "filter": {"stream"}, "since": {fmt.Sprint(since)}, "limit": {"100"}})
	if err != nil {
		return psync.Receipt{}, false, err
	}
	for _, cm := range cs {
		if cm.From != nil && cm.From.ID == c.opts.PageID && cm.Message == a.Body {
			return psync.Receipt{ExternalID: cm.ID, Permalink: cm.Permalink}, true, nil
		}
	}
	return psync.Receipt{}, false, nil
}

// platform is the conversations platform of this account.
func (c *Connector) platform() string {
	if c.opts.IGUserID != "" {
		return "instagram"
	}
	return "messenger"
}

// reviewsGone checks once, at the first sync, whether the Page's reviews
// can be read. The ratings edge is deprecated from Graph v22 (error 12):
// that is a note in parley accounts, not a failure.
func (c *Connector) reviewsGone(ctx context.Context) bool {
	_, err := c.http.Do(ctx, psync.Request{Method: "GET", Path: c.path(c.opts.PageID + "/ratings"),
		Query: url.Values{"limit": {"1"}}}, nil)
	ae := graphErrorOf(err)
	return ae != nil && ae.Code == 12
}

// inboxOwner is the node whose conversations and messages edges serve
// this account: the Page, or the IG account itself with Instagram Login.
func (c *Connector) inboxOwner() string {
	if c.opts.IGLogin {
		return c.opts.IGUserID
	}
	return c.opts.PageID
}
