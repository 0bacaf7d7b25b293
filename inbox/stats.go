package inbox

import (
	"context"
	"sort"
	"time"
)

// Stats is the care report: volume, negativity, response rate and first
// response times, per network, per day and per manager.
type Stats struct {
	Since         time.Time      `json:"since"`
	Conversations int            `json:"conversations"` // started in the period
	Inbound       int            `json:"inbound_messages"`
	Negative      int            `json:"negative_conversations"`
	Answered      int            `json:"answered_conversations"`
	ResponseRate  float64        `json:"response_rate"`      // answered / conversations
	FirstMedian   time.Duration  `json:"first_response_p50"` // over answered conversations
	FirstP90      time.Duration  `json:"first_response_p90"`
	Waiting       int            `json:"waiting_for_reply"` // open and needing a reply now
	Overdue       int            `json:"overdue"`           // of those, past their reply deadline
	PerNetwork    []NetworkStats `json:"per_network"`
	PerDay        []DayStats     `json:"per_day"`
	PerManager    []ManagerStats `json:"per_manager"`
	Agreement     Agreement      `json:"agreement"`
}

// NetworkStats is one network's share.
type NetworkStats struct {
	Network       string  `json:"network"`
	Conversations int     `json:"conversations"`
	Inbound       int     `json:"inbound_messages"`
	NegativeShare float64 `json:"negative_share"`
	ResponseRate  float64 `json:"response_rate"`
}

// DayStats is one day's inbound volume.
type DayStats struct {
	Day      string `json:"day"` // YYYY-MM-DD, local time
	Inbound  int    `json:"inbound_messages"`
	Negative int    `json:"negative_messages"`
}

// ManagerStats is one manager's first responses.
type ManagerStats struct {
	Manager     string        `json:"manager"`
	Replies     int           `json:"first_responses"`
	FirstMedian time.Duration `json:"first_response_p50"`
}

// StatRow is one conversation as the report sees it.
type StatRow struct {
	Network    string
	Negative   bool
	FirstIn    time.Time
	FirstOut   time.Time // zero if never answered
	Responder  string    // who sent the first response
	NeedsReply bool
	Open       bool
	DueAt      time.Time // zero: no deadline
	Flagged    bool      // the detector read an inbound message negative
	NegSource  NegSource // who decided the current negative mark
}

// Stats computes the report since a time.
func (s *Service) Stats(ctx context.Context, since time.Time) (Stats, error) {
	rows, days, err := s.store.StatRows(ctx, since)
	if err != nil {
		return Stats{}, err
	}
	st := Stats{Since: since, PerDay: days}
	nets := map[string]*NetworkStats{}
	negByNet, ansByNet := map[string]int{}, map[string]int{}
	var firsts []time.Duration
	mgr := map[string][]time.Duration{}
	for _, r := range rows {
		st.Conversations++
		n := nets[r.Network]
		if n == nil {
			n = &NetworkStats{Network: r.Network}
			nets[r.Network] = n
		}
		n.Conversations++
		if r.Negative {
			st.Negative++
			negByNet[r.Network]++
		}
		st.Agreement.add(r)
		if r.Open && r.NeedsReply {
			st.Waiting++
			if !r.DueAt.IsZero() && r.DueAt.Before(s.Now()) {
				st.Overdue++
			}
		}
		if !r.FirstOut.IsZero() {
			st.Answered++
			ansByNet[r.Network]++
			d := r.FirstOut.Sub(r.FirstIn)
			firsts = append(firsts, d)
			mgr[r.Responder] = append(mgr[r.Responder], d)
		}
	}
	for _, d := range days {
		st.Inbound += d.Inbound
	}
	if st.Conversations > 0 {
		st.ResponseRate = float64(st.Answered) / float64(st.Conversations)
	}
	st.Agreement.finish()
	st.FirstMedian, st.FirstP90 = percentile(firsts, 50), percentile(firsts, 90)
	for name, n := range nets {
		n.NegativeShare = float64(negByNet[name]) / float64(n.Conversations)
		n.ResponseRate = float64(ansByNet[name]) / float64(n.Conversations)
		st.PerNetwork = append(st.PerNetwork, *n)
	}
	inByNet, err := s.store.InboundByNetwork(ctx, since)
	if err != nil {
		return Stats{}, err
	}
	for i := range st.PerNetwork {
		st.PerNetwork[i].Inbound = inByNet[st.PerNetwork[i].Network]
	}
	sort.Slice(st.PerNetwork, func(i, j int) bool { return st.PerNetwork[i].Network < st.PerNetwork[j].Network })
	for name, ds := range mgr {
		st.PerManager = append(st.PerManager, ManagerStats{Manager: name, Replies: len(ds), FirstMedian: percentile(ds, 50)})
	}
	sort.Slice(st.PerManager, func(i, j int) bool { return st.PerManager[i].Manager < st.PerManager[j].Manager })
	return st, nil
}

// percentile is the nearest-rank percentile (0 for no data).
func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	rank := (p*len(s) + 99) / 100
	return s[max(rank-1, 0)]
}
