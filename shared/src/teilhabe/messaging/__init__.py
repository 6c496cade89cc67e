"""Reliable publishing (outbox and relay) and consuming (inbox and consumer runner)."""
