package main

import (
	"context"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/parleyhq/parley/sync/bluesky"
)

// parley connect bluesky HANDLE: an app password through the shared flow;
// the session it opens is saved so syncing does not sign in again
// (Bluesky allows few sign-ins a day).
func init() {
	registerConnector(connector{
		network: "bluesky",
		args:    "HANDLE",
		nargs:   1,
		example: "parley connect bluesky acme.bsky.social",
		short:   "connect a Bluesky account (handle and app password)",
		long: "Create an app password in Bluesky (Settings → Privacy and security → App passwords); tick\n" +
			"“Allow access to your direct messages” so parley can answer DMs too. Never give the account password.",
		prompt: "Paste the app password (xxxx-xxxx-xxxx-xxxx): ",
		flags: func(fs *pflag.FlagSet) {
			fs.String("service", "", "where to sign in (default: the PDS the handle's DID document names)")
			fs.String("appview", "", "where handles are resolved (tests use a local one)")
			fs.String("plc", "", "the PLC directory for did:plc documents (tests use a local one)")
			_ = fs.MarkHidden("appview")
			_ = fs.MarkHidden("plc")
		},
		verify: verifyBluesky,
	})
}

func verifyBluesky(ctx context.Context, r *connectRun) ([]connected, error) {
	service := r.String("service")
	if service == "" {
		// Found, not assumed: an account on its own PDS signs in there.
		res := bluesky.Resolver{AppView: r.String("appview"), PLC: r.String("plc")}
		did, pds, err := res.PDS(ctx, r.Args[0])
		if err != nil {
			return nil, fmt.Errorf("finding where %s lives (or give --service): %w", r.Args[0], err)
		}
		service = bluesky.DefaultService
		if !bluesky.BlueskyHosted(pds) {
			service = pds
		}
		fmt.Fprintf(r.Out, "%s is %s, served by %s.\n", r.Args[0], did, pds)
	}
	acc, err := bluesky.SignIn(ctx, service, r.Args[0], r.Token)
	if err != nil {
		return nil, fmt.Errorf("signing in to Bluesky: %w", err)
	}
	path, err := r.SaveSecret("bluesky-"+acc.DID+"-session", acc.Session)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(r.Out, "Signed in as @%s (%s), served by %s.\n", acc.Handle, acc.DID, acc.PDS)
	if acc.NoChat != "" {
		fmt.Fprintln(r.Out, "! "+acc.NoChat)
	}
	opts := map[string]any{"handle": acc.Handle, "did": acc.DID, "session_file": path}
	if service != bluesky.DefaultService {
		opts["service"] = service
	}
	return []connected{{ID: acc.DID, Label: "@" + acc.Handle + " (Bluesky)", Options: opts, Key: []string{"did"}, Token: r.Token,
		Done: "Replies, mentions and quotes (and DMs, if allowed) arrive from now on."}}, nil
}
