"""Search: the engine behind a small service, fed by an outbox, and the search log."""
