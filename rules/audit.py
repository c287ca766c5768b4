"""The vocabulary of the audit trail and how its snapshots are shown to clients.

Every event names an action (`AuditAction`: what was done) and an entity (`AuditEntityType`: the
kind of record, by its model's name, plus the record's key). The stored `before`/`after`
snapshots keep the database's shape (snake_case columns, integer keys), because the hash chain
covers them exactly as stored; `client_snapshot` converts them on the way out: camelCase keys,
references as global ids, secrets left out.

Both enums are complete by construction, checked by tests/rules/test_audit_vocabulary.py: every
action string written by `record_change` / `append_audit` in resolvers/ is an `AuditAction`, and
every model that is not infrastructure is an `AuditEntityType`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import Enum
from typing import Any

__all__ = ["REDACTED_KEYS", "AuditAction", "AuditEntityType", "camel_case", "client_snapshot"]


class AuditAction(str, Enum):
    """What an audit event records; the value is the text stored in `audit_event.action`."""

    # parties
    MINER_CREATED = "miner.created"
    MINER_UPDATED = "miner.updated"
    DATA_CENTER_CREATED = "data_center.created"
    DATA_CENTER_UPDATED = "data_center.updated"
    POOL_CREATED = "pool.created"
    POOL_UPDATED = "pool.updated"
    # users and tokens
    USER_CREATED = "user.created"
    USER_PREFERENCES_SET = "user.preferences_set"
    TOKEN_ISSUED = "token.issued"
    TOKEN_REVOKED = "token.revoked"
    # the calendar and rates
    CALENDAR_OVERRIDE_SET = "calendar.override_set"
    CALENDAR_OVERRIDE_REMOVED = "calendar.override_removed"
    MRP_RATE_SET = "mrp_rate.set"
    ORDER_PUBLICATION_SET = "order_publication.set"
    # the application engine: filing and every workflow action (`application.<action>`)
    APPLICATION_SUBMITTED = "application.submitted"
    APPLICATION_RECEIPT_TIME_RECORDED = "application.receipt_time_recorded"
    APPLICATION_REGISTER = "application.register"
    APPLICATION_ACCEPT_COMPLETE = "application.accept_complete"
    APPLICATION_REFUSE_INCOMPLETE = "application.refuse_incomplete"
    APPLICATION_PRELIMINARY_REFUSE = "application.preliminary_refuse"
    APPLICATION_SCHEDULE_HEARING = "application.schedule_hearing"
    APPLICATION_APPROVE = "application.approve"
    APPLICATION_REFUSE = "application.refuse"
    APPLICATION_WITHDRAW = "application.withdraw"
    APPLICATION_PAYMENT_RECORDED = "application.payment_recorded"
    APPLICATION_ASSIGNED = "application.assigned"
    APPLICATION_UNASSIGNED = "application.unassigned"
    # licences
    LICENSE_ISSUED = "license.issued"
    LICENSE_REISSUED = "license.reissued"
    LICENSE_REPLACED = "license.replaced"
    LICENSE_SUSPENDED = "license.suspended"
    LICENSE_RESUMED = "license.resumed"
    LICENSE_REVOKED = "license.revoked"
    # complaints
    COMPLAINT_FILED = "complaint.filed"
    COMPLAINT_GRANTED_IN_FULL = "complaint.granted_in_full"
    COMPLAINT_FORWARDED = "complaint.forwarded"
    COMPLAINT_DECIDED = "complaint.decided"
    # pool memberships and the pool-change obligation
    POOL_MEMBERSHIP_OPENED = "pool_membership.opened"
    POOL_MEMBERSHIP_CLOSED = "pool_membership.closed"
    OBLIGATION_OPENED = "obligation.opened"
    OBLIGATION_MET = "obligation.met"
    # pool accreditation certificates
    POOL_CERTIFICATE_ISSUED = "pool_certificate.issued"
    POOL_CERTIFICATE_REISSUED = "pool_certificate.reissued"
    POOL_CERTIFICATE_REPLACED = "pool_certificate.replaced"
    POOL_CERTIFICATE_EXPIRED = "pool_certificate.expired"
    # the pools' monthly income reports (003 pool item 8)
    INCOME_REPORT_FILED = "income_report.filed"
    INCOME_REPORT_CORRECTED = "income_report.corrected"
    INCOME_REPORT_SUPERSEDED = "income_report.superseded"
    INCOME_REPORT_OVERDUE = "income_report.overdue"
    # signed documents (resolvers/documents)
    DOCUMENT_REGENERATED = "document.regenerated"
    # the ASIC registry
    REGISTRY_UNITS_INCLUDED = "registry.units_included"
    REGISTRY_UNITS_EXCLUDED = "registry.units_excluded"
    REGISTRY_UNITS_CHANGED = "registry.units_changed"
    # inspections (003)
    INSPECTION_APPOINTED = "inspection.appointed"
    INSPECTION_OPENED = "inspection.opened"
    INSPECTION_ITEM_RECORDED = "inspection.item_recorded"
    INSPECTION_RECONCILED = "inspection.reconciled"
    INSPECTION_PHOTO_ATTACHED = "inspection.photo_attached"
    INSPECTION_COMPLETED = "inspection.completed"
    VIOLATION_DEADLINE_SET = "violation.deadline_set"
    VIOLATION_REMEDIED = "violation.remedied"
    # partners' webhook endpoints (the secret is never in the trail)
    WEBHOOK_ENDPOINT_REGISTERED = "webhook_endpoint.registered"
    WEBHOOK_ENDPOINT_REMOVED = "webhook_endpoint.removed"
    WEBHOOK_CIRCUIT_RESET = "webhook_endpoint.circuit_reset"
    # the supervisors' queue (heads of the unit)
    ESCALATION_ACKNOWLEDGED = "escalation.acknowledged"
    ESCALATION_RESOLVED = "escalation.resolved"
    # reads of personal data in bulk (one event per request; the entity is the reader)
    PERSONAL_DATA_LISTED = "personal_data.listed"
    PERSONAL_DATA_EXPORTED = "personal_data.exported"


class AuditEntityType(str, Enum):
    """The kind of record an audit event is about; the value is the model's name, as stored in
    `audit_event.entity_type`."""

    MINER = "Miner"
    DATA_CENTER = "DataCenter"
    POOL = "Pool"
    USER = "User"
    API_TOKEN = "ApiToken"
    CALENDAR_OVERRIDE = "CalendarOverrideRow"
    MRP_RATE = "MrpRate"
    ORDER_PUBLICATION = "OrderPublication"
    APPLICATION = "Application"
    APPLICATION_DOCUMENT = "ApplicationDocument"
    STAGE_EVENT = "StageEvent"
    LICENSE_APPLICATION = "LicenseApplication"
    LICENSE = "License"
    LICENSE_APPENDIX = "LicenseAppendix"
    LICENSE_STATUS_EVENT = "LicenseStatusEvent"
    COMPLAINT = "Complaint"
    POOL_MEMBERSHIP = "PoolMembership"
    NOTIFICATION_OBLIGATION = "NotificationObligation"
    REGISTRY_APPLICATION = "RegistryApplication"
    REGISTRY_APPLICATION_LINE = "RegistryApplicationLine"
    REGISTRY_APPLICATION_TARGET = "RegistryApplicationTarget"
    ASIC_UNIT = "AsicUnit"
    ASIC_UNIT_EVENT = "AsicUnitEvent"
    POOL_APPLICATION = "PoolApplication"
    POOL_CERTIFICATE = "PoolCertificate"
    INCOME_REPORT = "IncomeReport"
    INCOME_REPORT_LINE = "IncomeReportLine"
    INCOME_REPORT_OVERDUE = "IncomeReportOverdue"
    INSPECTION = "Inspection"
    INSPECTION_ITEM = "InspectionItem"
    INSPECTION_ITEM_ENTRY = "InspectionItemEntry"
    INSPECTION_DATA_CENTER = "InspectionDataCenter"
    INSPECTION_INSPECTOR = "InspectionInspector"
    INSPECTION_RECONCILIATION = "InspectionReconciliation"
    INSPECTION_PHOTO = "InspectionPhoto"
    VIOLATION = "Violation"
    DOCUMENT = "Document"
    WEBHOOK_ENDPOINT = "WebhookEndpoint"
    ESCALATION = "Escalation"


# Snapshot keys never shown to clients: a token's hash is a credential's fingerprint.
REDACTED_KEYS = frozenset({"token_hash", "secret"})


def camel_case(key: str) -> str:
    """`permitted_capacity_mw` -> `permittedCapacityMw` (keys already in camelCase stay)."""
    head, *rest = key.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _camel_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {camel_case(str(k)): _camel_keys(v) for k, v in value.items() if k not in REDACTED_KEYS}
    if isinstance(value, list):
        return [_camel_keys(v) for v in value]
    return value


def client_snapshot(
    snapshot: Any,
    entity_type: str,
    references: Mapping[str, str],
    global_id: Callable[[str, int], str],
) -> Any:
    """A stored snapshot as clients see it.

    `references` maps a snapshot key holding a key of another record (`miner_id`) to that
    record's model (`Miner`); `global_id(model, pk)` makes its global id. The snapshot's own
    `id` is the entity's global id. Keys become camelCase at every level, and the redacted
    keys are left out. Anything else (a summary without those keys, a non-object) is only
    camel-cased.
    """
    if not isinstance(snapshot, dict):
        return _camel_keys(snapshot)
    out: dict[str, Any] = {}
    for key, value in snapshot.items():
        if key in REDACTED_KEYS:
            continue
        model = entity_type if key == "id" else references.get(key)
        if model is not None and type(value) is int:
            value = global_id(model, value)
        else:
            value = _camel_keys(value)
        out[camel_case(str(key))] = value
    return out
