"""Who may see and change what: the one place where roles turn into decisions.

Organisation-level rule: an APPLICANT acts for exactly one organisation (a miner or a pool)
and sees and changes only records owned by it. Everyone else with a role sees everything
their role allows; only officers and admins change records of other organisations.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from rules.enums import Role


class Permission(str, Enum):
    READ_ALL = "READ_ALL"  # read every organisation's records
    MANAGE_PARTIES = "MANAGE_PARTIES"  # create/update any miner, DC or pool
    EDIT_OWN_PARTY = "EDIT_OWN_PARTY"  # an applicant edits its own organisation's data
    EDIT_CALENDAR = "EDIT_CALENDAR"
    EDIT_RULE_SETS = "EDIT_RULE_SETS"  # the orders' publication dates (rules.rule_sets)
    READ_AUDIT = "READ_AUDIT"
    VERIFY_AUDIT = "VERIFY_AUDIT"
    MANAGE_USERS = "MANAGE_USERS"
    DECIDE = "DECIDE"  # take the authority's decisions on applications
    APPLY = "APPLY"  # file applications for one's own organisation
    INSPECT = "INSPECT"


_ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.OFFICER: frozenset(
        {
            Permission.READ_ALL,
            Permission.MANAGE_PARTIES,
            Permission.READ_AUDIT,
            Permission.DECIDE,
        }
    ),
    Role.INSPECTOR: frozenset({Permission.READ_ALL, Permission.INSPECT}),
    Role.PARTNER: frozenset({Permission.READ_ALL}),
    Role.APPLICANT: frozenset({Permission.EDIT_OWN_PARTY, Permission.APPLY}),
}


# Who may be the head of the unit (User.is_head).
HEAD_ROLES = frozenset({Role.OFFICER, Role.ADMIN})


@dataclass(frozen=True)
class OwnerRef:
    """The organisation a record belongs to (at most one of the two is set)."""

    miner_id: int | None = None
    pool_id: int | None = None


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    role: Role
    label: str
    miner_id: int | None = None
    pool_id: int | None = None
    partner_kind: str | None = None  # PartnerKind of a PARTNER's account (its event grants)
    is_head: bool = False  # the head of the unit (models.access.User.is_head)

    def can(self, permission: Permission) -> bool:
        return permission in _ROLE_PERMISSIONS[self.role]

    @property
    def heads_unit(self) -> bool:
        """The head of the unit: breached terms escalate to it, and it works the supervisors'
        queue. Staff only: the flag means nothing on an applicant's or a partner's account."""
        return self.is_head and self.role in HEAD_ROLES

    @property
    def organisation(self) -> OwnerRef:
        return OwnerRef(miner_id=self.miner_id, pool_id=self.pool_id)


SYSTEM = Actor(user_id=None, role=Role.ADMIN, label="system")


def owns(actor: Actor, owner: OwnerRef) -> bool:
    if actor.role is not Role.APPLICANT:
        return False
    if owner.miner_id is not None:
        return owner.miner_id == actor.miner_id
    if owner.pool_id is not None:
        return owner.pool_id == actor.pool_id
    return False


class Reach(str, Enum):
    """How much of one kind of record a role reads."""

    ALL = "ALL"  # every organisation's records
    OWN = "OWN"  # only the records of the caller's own organisation
    ASSIGNED = "ASSIGNED"  # only the records the caller is assigned to (an inspector's inspections)
    NONE = "NONE"


# What each role reads, per kind of record (the model's name). A kind missing from a role's
# row is NONE. Rows are filtered by `resolvers/scope.visible()`, which reads this table.
_PUBLIC_REGISTRY = {"Miner", "DataCenter", "Pool", "License", "LicenseAppendix", "AsicUnit", "AsicUnitEvent",
                    "PoolMembership"}
_CASE_FILES = {"Application", "Complaint", "NotificationObligation", "RegistryApplication",
               "RegistryApplicationLine", "RegistryApplicationTarget", "PoolApplication", "Document"}
READS: dict[Role, dict[str, Reach]] = {
    Role.ADMIN: {kind: Reach.ALL for kind in (*_PUBLIC_REGISTRY, *_CASE_FILES, "AuditEvent", "User", "ApiToken")},
    # Officers read their colleagues' accounts (not tokens): who an application is assigned to,
    # who did what in the audit trail.
    Role.OFFICER: {kind: Reach.ALL for kind in (*_PUBLIC_REGISTRY, *_CASE_FILES, "AuditEvent", "User")},
    Role.INSPECTOR: {kind: Reach.ALL for kind in (*_PUBLIC_REGISTRY, *_CASE_FILES)},
    # Partner systems (grid operator, tax authority, pools) read the public registry only:
    # never applications, their documents, complaints or obligations.
    Role.PARTNER: {kind: Reach.ALL for kind in _PUBLIC_REGISTRY},
    Role.APPLICANT: {kind: Reach.OWN for kind in (*_PUBLIC_REGISTRY, *_CASE_FILES)},
}

# Inspections (003): officers and admins read all; an inspector only those assigned to them; the
# subject (its applicant) its own once completed (resolvers/scope.py: ASSIGNED_TO, OWN_ONCE).
READS[Role.ADMIN]["Inspection"] = Reach.ALL
READS[Role.OFFICER]["Inspection"] = Reach.ALL
READS[Role.INSPECTOR]["Inspection"] = Reach.ASSIGNED
READS[Role.APPLICANT]["Inspection"] = Reach.OWN

# Personal contact data, readable only by these roles (and by the organisation itself). Partner
# systems get the registry without people's phones and e-mails.
_CONTACT_READERS = frozenset({Role.ADMIN, Role.OFFICER, Role.INSPECTOR})
CONTACT_FIELDS: frozenset[tuple[str, str]] = frozenset(
    {
        ("Miner", "phone"),
        ("Miner", "email"),
        ("AsicUnit", "minerPhone"),
        ("AsicUnit", "minerEmail"),
        ("RegistryApplicationDetails", "contactPhone"),
        ("RegistryApplicationDetails", "contactEmail"),
    }
)


# Records of a user that the user itself reads whatever its role (its own account and tokens):
# kind -> the column holding the user's id. Applied by `resolvers/scope.visible()`.
SELF_READS: dict[str, str] = {"User": "id", "ApiToken": "user_id"}
# Reference data every role reads: the decrees that move working days (the calendar is public),
# and the register of accredited pools with their certificates (004 §3: who is accredited).
for _reads in READS.values():
    _reads["CalendarOverrideRow"] = Reach.ALL
    _reads["PoolCertificate"] = Reach.ALL


# The pools' monthly income reports (003 pool item 8) go to the ministry and to the tax authority:
# officers, administrators and partner systems (the tax authority) read all of them, a pool's
# applicant its own pool's (OWN through OWNERSHIP), a miner's applicant none (the reports are the
# pool's filing about many miners, not the miner's record), nor inspectors.
for _role in (Role.ADMIN, Role.OFFICER, Role.PARTNER):
    READS[_role]["IncomeReport"] = Reach.ALL
READS[Role.APPLICANT]["IncomeReport"] = Reach.OWN


# A miner names the accredited pool it mines through and is told when that pool lapses (001
# §16, App.11 I(3), II(2)): the register of pools is public to miners' applicants. A pool's
# applicant still reads only its own pool.
_MINER_APPLICANT_READS_ALL = frozenset({"Pool"})


def reach(actor: Actor, kind: str) -> Reach:
    if actor.role is Role.APPLICANT and actor.miner_id is not None and kind in _MINER_APPLICANT_READS_ALL:
        return Reach.ALL
    return READS[actor.role].get(kind, Reach.NONE)


def can_read(actor: Actor, owner: OwnerRef, kind: str = "Miner") -> bool:
    """May `actor` read a record of `kind` owned by `owner`?"""
    how = reach(actor, kind)
    return how is Reach.ALL or (how is Reach.OWN and owns(actor, owner))


def can_read_field(actor: Actor, kind: str, field: str, owner: OwnerRef | None = None) -> bool:
    """Field-level rule on top of `can_read`: personal contacts only for those who need them."""
    if (kind, field) not in CONTACT_FIELDS:
        return True
    return actor.role in _CONTACT_READERS or (owner is not None and owns(actor, owner))


def may_act_for(actor: Actor, owner: OwnerRef) -> bool:
    """An officer acting on the organisation's behalf, or the organisation's own applicant."""
    return actor.can(Permission.DECIDE) or (actor.can(Permission.APPLY) and owns(actor, owner))


def can_edit_party(actor: Actor, owner: OwnerRef) -> bool:
    if actor.can(Permission.MANAGE_PARTIES):
        return True
    return actor.can(Permission.EDIT_OWN_PARTY) and owns(actor, owner)


def reads_others_contacts(actor: Actor) -> bool:
    """May `actor` read the personal contacts of organisations other than its own? Its reads of
    them in bulk are audited (schema/contact_reads.py, the registry export)."""
    return actor.role in _CONTACT_READERS


# --- partner events (rules/events.py): who is granted which event types ---------------------------


class PartnerKind(str, Enum):
    """What a partner system is; its account is granted the event types of its kind."""

    GRID_OPERATOR = "GRID_OPERATOR"
    TAX_AUTHORITY = "TAX_AUTHORITY"
    POOL = "POOL"  # a mining pool's system: the account names its pool (User.pool)


_LICENSE_EVENTS = frozenset({"license.issued", "license.reissued", "license.replaced", "license.suspended",
                             "license.resumed", "license.revoked"})
_POOL_EVENTS = frozenset({"pool.accredited", "pool.accreditation_expired"})
_MEMBER_EVENTS = frozenset({"pool.member_joined", "pool.member_left"})
EVENT_GRANTS: dict[PartnerKind, frozenset[str]] = {
    # The grid operator: who may consume electricity for mining, with which units, where.
    PartnerKind.GRID_OPERATOR: _LICENSE_EVENTS
    | {"asic.included", "asic.excluded", "asic.changed", "data_center.registered", "data_center.changed"},
    # The tax authority: the licensed miners and the accredited pools (income reports when they exist).
    PartnerKind.TAX_AUTHORITY: _LICENSE_EVENTS | _POOL_EVENTS,
    # A pool: its own accreditation and its members' changes of pool (joined or left it).
    PartnerKind.POOL: _POOL_EVENTS | _MEMBER_EVENTS,
}
# Event types a POOL partner sees only when the event names its own pool.
POOL_SCOPED_EVENTS = _POOL_EVENTS | _MEMBER_EVENTS


@dataclass(frozen=True)
class EventScope:
    """Which events an actor reads: `types` None is every type; `pool_id` set limits the
    pool-scoped types to that pool's events; `types` empty is nothing."""

    types: frozenset[str] | None
    pool_id: int | None = None


def event_scope(actor: Actor) -> EventScope:
    """Admins read the whole event log; a partner its kind's grants; everyone else nothing (their
    alerts come as notifications)."""
    if actor.role is Role.ADMIN:
        return EventScope(types=None)
    if actor.role is not Role.PARTNER or actor.partner_kind is None:
        return EventScope(types=frozenset())
    kind = PartnerKind(actor.partner_kind)
    if kind is PartnerKind.POOL:
        if actor.pool_id is None:
            return EventScope(types=frozenset())
        return EventScope(types=EVENT_GRANTS[kind], pool_id=actor.pool_id)
    return EventScope(types=EVENT_GRANTS[kind])


def event_visible(scope: EventScope, event_type: str, pool_id: int | None) -> bool:
    """The rule `resolvers.events.visible_events` applies as a query, for one event in memory
    (the live feed): a granted type, and a pool's own events only for the pool-scoped types."""
    if scope.types is None:
        return True
    if event_type not in scope.types:
        return False
    return scope.pool_id is None or event_type not in POOL_SCOPED_EVENTS or pool_id == scope.pool_id
