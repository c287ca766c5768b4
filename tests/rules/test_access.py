import pytest

from rules.access import Actor, OwnerRef, Permission, can_edit_party, can_read
from rules.enums import Role

applicant = Actor(user_id=1, role=Role.APPLICANT, label="a", miner_id=10)
pool_applicant = Actor(user_id=2, role=Role.APPLICANT, label="p", pool_id=20)


@pytest.mark.parametrize(
    ("actor", "owner", "read", "edit"),
    [
        (applicant, OwnerRef(miner_id=10), True, True),
        (applicant, OwnerRef(miner_id=11), False, False),
        (applicant, OwnerRef(pool_id=10), False, False),  # same number, other kind of org
        (pool_applicant, OwnerRef(pool_id=20), True, True),
        (pool_applicant, OwnerRef(miner_id=20), False, False),
        (Actor(3, Role.OFFICER, "o"), OwnerRef(miner_id=11), True, True),
        (Actor(4, Role.INSPECTOR, "i"), OwnerRef(miner_id=11), True, False),
        (Actor(5, Role.PARTNER, "p"), OwnerRef(pool_id=20), True, False),
        (Actor(6, Role.ADMIN, "ad"), OwnerRef(pool_id=20), True, True),
    ],
)
def test_organisation_rules(actor, owner, read, edit):
    assert can_read(actor, owner) is read
    assert can_edit_party(actor, owner) is edit


def test_only_admin_edits_calendar_and_verifies_audit():
    for role in Role:
        actor = Actor(1, role, "x")
        assert actor.can(Permission.EDIT_CALENDAR) is (role is Role.ADMIN)
        assert actor.can(Permission.VERIFY_AUDIT) is (role is Role.ADMIN)


def test_may_act_for_an_organisation():
    from rules.access import may_act_for

    assert may_act_for(applicant, OwnerRef(miner_id=10))
    assert not may_act_for(applicant, OwnerRef(miner_id=11))
    assert may_act_for(Actor(3, Role.OFFICER, "o"), OwnerRef(miner_id=11))
    assert not may_act_for(Actor(4, Role.INSPECTOR, "i"), OwnerRef(miner_id=11))
    assert not may_act_for(Actor(5, Role.PARTNER, "p"), OwnerRef(pool_id=20))
