"""Background work: arq tasks and WorkerSettings, or the in-process runner without Redis.

Outbox delivery semantics (jobs/tasks.dispatch_outbox):

- Every change writes its outbox events in its own transaction (resolvers/changes.emit), so a
  change and the work it triggers are never separated by a Redis or worker outage.
- The dispatcher takes pending events in id order, ONE PER TRANSACTION: claim it (a row lock,
  SKIP LOCKED on PostgreSQL so that two workers never hold the same one), run its handler, mark
  it delivered, commit. A crash (worker killed, Redis gone mid-run) rolls back only the event
  in flight: the events delivered before it are committed and never delivered again.
- Delivery is AT LEAST ONCE: the event in flight during a crash is delivered again. Handlers
  receive `ctx["idempotency_key"]` (`kzm-outbox-<event id>`, also `ctx["event_id"]`) and must
  pass it downstream (an `Idempotency-Key` header, a message id) so that the receiver drops
  the repeat.
- A handler that raises is recorded (`attempts`, `last_error`) and retried on a later run, up
  to MAX_ATTEMPTS; the events after it still go. /healthz reports the backlog (pending count,
  oldest age, given-up count).

The worker process (`python -m jobs.worker`) survives Redis restarts: it reconnects with
exponential back-off instead of exiting (jobs/worker.run_supervised).
"""
