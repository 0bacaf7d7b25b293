package inbox

import (
	"slices"
	"sync"
)

// Viewer is one session's place: which conversation it has open, and
// whether it is writing a reply there. Over SSH several managers share one
// inbox; presence lets them see each other so nobody answers twice.
type Viewer struct {
	Session      string
	User         string
	Conversation int64 // 0: on a list
	Composing    bool
}

type presence struct {
	mu      sync.Mutex
	viewers map[string]Viewer
}

// SetPresence records where a session is. It lives in memory only.
func (s *Service) SetPresence(v Viewer) {
	p := &s.presence
	p.mu.Lock()
	if p.viewers == nil {
		p.viewers = map[string]Viewer{}
	}
	old, had := p.viewers[v.Session]
	p.viewers[v.Session] = v
	p.mu.Unlock()
	if !had || old != v {
		s.hub.publish(Change{Presence: true})
	}
}

// ClearPresence forgets a session (it quit or its connection dropped).
func (s *Service) ClearPresence(session string) {
	p := &s.presence
	p.mu.Lock()
	_, had := p.viewers[session]
	delete(p.viewers, session)
	p.mu.Unlock()
	if had {
		s.hub.publish(Change{Presence: true})
	}
}

// Presence lists every session that has a conversation open, by session.
func (s *Service) Presence() []Viewer {
	p := &s.presence
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]Viewer, 0, len(p.viewers))
	for _, v := range p.viewers {
		if v.Conversation != 0 {
			out = append(out, v)
		}
	}
	slices.SortFunc(out, func(a, b Viewer) int {
		if a.User != b.User {
			if a.User < b.User {
				return -1
			}
			return 1
		}
		if a.Session < b.Session {
			return -1
		}
		return 1
	})
	return out
}
