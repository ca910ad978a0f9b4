"""Every write of calls (DESIGN §3), split by subject: calls (the provider webhooks), switchboard, messages,
lines (and ring groups), flows, provider, retention."""
