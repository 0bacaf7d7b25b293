package youtube

import (
	"context"
	"net/http"

	psync "github.com/parleyhq/parley/sync"
)

// Channel is a YouTube channel the signed-in user owns.
type Channel struct{ ID, Title, Handle string }

// Channels lists the channels of the signed-in user (channels.list
// mine=true, 1 unit): parley connect offers them to choose from.
func Channels(ctx context.Context, base string, hc *http.Client) ([]Channel, error) {
	svc, err := service(ctx, base, hc)
	if err != nil {
		return nil, err
	}
	res, err := svc.Channels.List([]string{"snippet"}).Mine(true).MaxResults(50).Context(ctx).Do()
	if err = mapError("channels.list", err); err != nil {
		return nil, err
	}
	var out []Channel
	for _, ch := range res.Items {
		c := Channel{ID: ch.Id}
		if ch.Snippet != nil {
			c.Title, c.Handle = ch.Snippet.Title, ch.Snippet.CustomUrl
		}
		out = append(out, c)
	}
	return out, nil
}

var _ psync.Connector = (*Connector)(nil)
