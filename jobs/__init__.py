"""Background work: arq tasks and WorkerSettings, or the in-process runner without Redis."""
