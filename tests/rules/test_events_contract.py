"""The public event contract (rules/events.py) and who is granted what (rules/access.py)."""

from rules.access import EVENT_GRANTS, Actor, PartnerKind, event_scope
from rules.enums import Role
from rules.events import EVENT_TYPES, public_event


def test_license_suspension_becomes_a_public_event_with_whitelisted_data_only():
    event = public_event("license.suspended", {
        "license": "KZ-1", "license_id": 7, "appendix": None, "holder_id": 3, "action": "SUSPEND",
        "status": "SUSPENDED", "ground": "X", "effective_on": "2026-01-02", "until": "2026-03-02", "event_id": 9,
        "internal_note": "never public",
    })
    assert event is not None
    assert (event.type, event.entity_type, event.entity_id, event.miner_id) == ("license.suspended", "License", 7, 3)
    assert event.data == {"number": "KZ-1", "licenseId": 7, "appendix": None, "holderId": 3, "action": "SUSPEND",
                          "status": "SUSPENDED", "ground": "X", "effectiveOn": "2026-01-02", "until": "2026-03-02"}


def test_data_center_event_never_carries_personal_contacts():
    after = {"id": 5, "miner_id": 2, "name": "DC", "address": "A", "region": "ABAI", "contact_phone": "+7 700",
             "email": "x@y.kz"}
    event = public_event("data_center.created", {"entity": "DataCenter", "id": 5, "action": "data_center.created",
                                                  "after": after})
    assert event is not None and event.type == "data_center.registered" and event.miner_id == 2
    assert "contactPhone" not in event.data and "email" not in event.data


def test_internal_topics_are_not_public():
    for topic in ("security", "alert.pool_change", "obligation.met", "alert.pool_accreditation_expiring", "complaint.filed"):
        assert public_event(topic, {"id": 1, "after": {}}) is None


def test_every_granted_type_exists_in_the_contract():
    for types in EVENT_GRANTS.values():
        assert types <= set(EVENT_TYPES)


def test_event_scope_per_role():
    assert event_scope(Actor(1, Role.ADMIN, "a")).types is None
    for role in (Role.OFFICER, Role.INSPECTOR, Role.APPLICANT):
        assert event_scope(Actor(1, role, "x", miner_id=1)).types == frozenset()
    assert event_scope(Actor(1, Role.PARTNER, "p")).types == frozenset()  # a partner without a kind
    grid = event_scope(Actor(1, Role.PARTNER, "g", partner_kind="GRID_OPERATOR")).types
    assert grid is not None and "asic.included" in grid and "pool.accredited" not in grid
    tax = event_scope(Actor(1, Role.PARTNER, "t", partner_kind="TAX_AUTHORITY")).types
    assert tax is not None and "pool.accredited" in tax and "asic.included" not in tax
    pool = event_scope(Actor(1, Role.PARTNER, "p", pool_id=4, partner_kind=PartnerKind.POOL.value))
    assert pool.pool_id == 4 and pool.types is not None and "license.issued" not in pool.types
    assert event_scope(Actor(1, Role.PARTNER, "p", partner_kind="POOL")).types == frozenset()  # no pool named
