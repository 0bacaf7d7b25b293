package inbox

import (
	"context"
	"maps"
	"sync"
)

// countsCache shares the view counts between every session of one
// service: a change is heard by each session, and each then asks for the
// counts; the first asker reads them and the rest get its copy. An entry
// is valid for the generation of data changes it was read in; a change
// published after the read began makes it stale, so a reader never gets
// counts older than the change it heard.
type countsCache struct {
	mu    sync.Mutex
	gen   uint64           // data changes published so far
	byNet map[string]entry // per network filter ("" for all)
}

type entry struct {
	gen    uint64
	counts Counts
}

// changed starts a new generation: every entry is stale.
func (c *countsCache) changed() {
	c.mu.Lock()
	c.gen++
	c.mu.Unlock()
}

// get returns the counts for network, reading them with read on a miss.
// The copy it returns is the caller's to change.
func (c *countsCache) get(ctx context.Context, network string, read func(context.Context, string) (Counts, error)) (Counts, error) {
	c.mu.Lock()
	gen := c.gen
	e, ok := c.byNet[network]
	c.mu.Unlock()
	if ok && e.gen == gen {
		return maps.Clone(e.counts), nil
	}
	counts, err := read(ctx, network)
	if err != nil {
		return counts, err
	}
	c.mu.Lock()
	if c.byNet == nil {
		c.byNet = map[string]entry{}
	}
	if old, ok := c.byNet[network]; !ok || old.gen <= gen {
		c.byNet[network] = entry{gen: gen, counts: maps.Clone(counts)}
	}
	c.mu.Unlock()
	return counts, nil
}
