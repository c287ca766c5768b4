"""Tortoise models, one module per aggregate. `MODEL_MODULES` is what Tortoise loads."""

MODEL_MODULES = [
    "models.parties",
    "models.access",
    "models.audit",
    "models.outbox",
    "models.events",
    "models.notifications",
    "models.calendar",
    "models.applications",
    "models.licensing",
    "models.registry",
    "models.pools",
    "models.income_reports",
    "models.idempotency",
    "models.rule_sets",
    "models.inspections",
    "models.documents",
]
