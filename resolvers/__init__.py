"""Use cases: one module per procedure. They own transactions, audit events and outbox events."""
