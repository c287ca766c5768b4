"""The wiring of the service, each kind in one table read top to bottom (no registration as a
side effect of importing a module):

- `PROCEDURES`: which hooks each procedure plugs into the one application engine;
- `OVERDUE_CHECKERS`: what the overdue job runs (each flags what passed its term, once);
- `OUTBOX_HANDLERS`: what the outbox dispatcher runs per event topic (events of other topics
  are marked delivered; their consumers, partner subscriptions, read the outbox table).

Ownership of records (who reads what) is the table `OWNERSHIP` in resolvers/scope.py with
`READS` in rules/access.py; GraphQL node types are listed in schema/schema.py.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from resolvers import (
    applications,
    complaints,
    income_reports,
    inspections,
    licensing,
    notifications,
    pool_change,
    pools,
    registry,
)
from resolvers.documents.events import DOCUMENT_HANDLERS
from resolvers.procedures import ProcedureHooks
from rules.calendar import WorkCalendar
from rules.workflow import ProcedureCode

OverdueChecker = Callable[[datetime, WorkCalendar], Awaitable[int]]
OutboxHandler = Callable[[dict[str, Any], dict[str, Any]], Awaitable[None]]

PROCEDURES: dict[ProcedureCode, ProcedureHooks] = {
    ProcedureCode.LICENSE_ISSUE: licensing.ISSUE_HOOKS,
    ProcedureCode.LICENSE_REISSUE: licensing.REISSUE_HOOKS,
    ProcedureCode.ASIC_INCLUSION: registry.INCLUSION_HOOKS,
    ProcedureCode.ASIC_EXCLUSION: registry.EXCLUSION_HOOKS,
    ProcedureCode.ASIC_CHANGE: registry.CHANGE_HOOKS,
    ProcedureCode.POOL_ACCREDITATION: pools.ACCREDITATION_HOOKS,
    ProcedureCode.POOL_REISSUE: pools.REISSUE_HOOKS,
}

OVERDUE_CHECKERS: dict[str, OverdueChecker] = {
    "applications": applications.flag_overdue_applications,
    "complaints": complaints.flag_overdue_complaints,
    "pool_change": pool_change.flag_overdue_obligations,
    "pool_certificates": pools.expire_certificates,
    "income_reports": income_reports.flag_overdue_income_reports,
    "violations": inspections.flag_violations,
    "pool_change_due_tomorrow": notifications.flag_pool_change_due_tomorrow,
}

# The outbox handlers: signed documents (resolvers/documents: the events that issue one record it
# PENDING) and alerts to people (resolvers/notifications.py: in-app, and by e-mail when SMTP is
# configured). One handler per topic.
OUTBOX_HANDLERS: dict[str, OutboxHandler] = {
    **DOCUMENT_HANDLERS,
    "alert.pool_change": notifications.pool_change_opened,
    "alert.pool_change_due_tomorrow": notifications.pool_change_due_tomorrow,
    "alert.pool_change_overdue": notifications.pool_change_overdue,
    "application.schedule_hearing": notifications.hearing_scheduled,
    "application.approve": notifications.decision_approved,
    "application.refuse": notifications.decision_refused,
    "alert.application_overdue": notifications.application_overdue,
    "alert.complaint_overdue": notifications.complaint_overdue,
}
