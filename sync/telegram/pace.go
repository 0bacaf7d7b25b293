package telegram

import (
	"context"
	gosync "sync"
	"time"
)

// sendPacer keeps sends inside Telegram's limits (Bots FAQ): about one
// message a second in a chat, 20 a minute in a group, 30 a second in all.
// Going faster earns a 429 and a wait; pacing costs only the wait.
type sendPacer struct {
	mu     gosync.Mutex
	last   map[int64]time.Time // last send per chat
	recent []time.Time         // sends in the last second, all chats
	now    func() time.Time
	sleep  func(context.Context, time.Duration) error
}

const (
	perChat   = time.Second
	perGroup  = 3 * time.Second // 20 a minute
	perSecond = 30
)

func newSendPacer(now func() time.Time, sleep func(context.Context, time.Duration) error) *sendPacer {
	return &sendPacer{last: map[int64]time.Time{}, now: now, sleep: sleep}
}

// wait blocks until a message may go to chat, and counts it.
func (p *sendPacer) wait(ctx context.Context, chat int64, group bool) error {
	gap := perChat
	if group {
		gap = perGroup
	}
	for {
		p.mu.Lock()
		now := p.now()
		for len(p.recent) > 0 && now.Sub(p.recent[0]) >= time.Second {
			p.recent = p.recent[1:]
		}
		d := time.Duration(0)
		if t, ok := p.last[chat]; ok {
			d = t.Add(gap).Sub(now)
		}
		if len(p.recent) >= perSecond {
			d = max(d, p.recent[0].Add(time.Second).Sub(now))
		}
		if d <= 0 {
			if len(p.last) > 1000 {
				for k, t := range p.last {
					if now.Sub(t) > perGroup {
						delete(p.last, k)
					}
				}
			}
			p.last[chat] = now
			p.recent = append(p.recent, now)
			p.mu.Unlock()
			return nil
		}
		p.mu.Unlock()
		if err := p.sleep(ctx, d); err != nil {
			return err
		}
	}
}
