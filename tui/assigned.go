package tui

import (
	"fmt"
	"strings"

	"github.com/parleyhq/parley/inbox"
)

// noticeAssigned tells a manager at once, in every session of theirs, that
// a customer wrote again on a conversation they own: the flash names the
// customer and the key of the Mine view, where it now waits for a reply.
// Other managers' sessions hear the same change and say nothing; the list
// refresh shows them the new message as it shows any other. A message on
// the conversation the manager is reading needs no notice: it appears in
// the thread.
func (m *Model) noticeAssigned(as []inbox.AssignedArrival) {
	me := inbox.CleanManager(m.opt.User)
	if me == "" || len(as) == 0 {
		return
	}
	var mine []inbox.AssignedArrival
	seen := map[int64]bool{}
	for _, a := range as {
		if !strings.EqualFold(a.Assignee, me) || seen[a.ConversationID] || (m.conv != nil && m.conv.id == a.ConversationID) {
			continue
		}
		seen[a.ConversationID] = true
		mine = append(mine, a)
	}
	if len(mine) == 0 || (m.flash != "" && m.flashErr) {
		return // an error on screen is not overwritten
	}
	mineKey := m.keys.View7.Help().Key
	if len(mine) == 1 {
		a := mine[0]
		m.setFlash(fmt.Sprintf("new message from %s on %s — assigned to you · %s Mine", shortName(a.From), networkName(a.Network), mineKey), false)
		return
	}
	m.setFlash(fmt.Sprintf("%d conversations assigned to you have new messages · %s Mine", len(mine), mineKey), false)
}
