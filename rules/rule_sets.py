"""When each rule set enters into force: one table of dated rule-set versions (issue 9 item 10).

Every versioned rule (procedure terms and grounds in rules.workflow, the grounds' catalogue in
rules.grounds, fees in rules.fees, qualification requirements in rules.qualification, licence
validity and suspension terms) is dated by a `RuleSet` instead of a date of its own. The date a
rule set enters into force comes from its order's own final clause, read in the seeds:

| rule set | order | clause | in force |
|---|---|---|---|
| LICENSING | 169/НҚ of 28.04.2023 (001) | order §4 | 60 calendar days after the day of first publication |
| LICENSING_2024 | 169/НҚ | order §4, the exception: App.3 item 7 (fee), item 9(3) (payment data), item 10(2) (fee not paid), App.11 item 1(4) (ASKUE) | 2024-01-01 |
| LICENSING_S21 | 95/НҚ of 27.02.2024 | 001 §21 edition footnote | 10 calendar days after the day of first publication |
| LICENSE_LIFE | 95/НҚ | 001 §18-1 footnote | 2024-02-13 (the footnote's own date) |
| REGISTRY | 331/НҚ of 11.08.2023 (002 edition, 000 §4) | order §4 | 10 calendar days after the day of first publication |
| POOLS | 404/НҚ of 13.09.2023 (004) | order §4 | on the day of first publication |
| INSPECTION_POOL | joint 662/НҚ of 25.12.2023 + 184 of 27.12.2023 (003: adds the pool checklist) | its own clause, quoted in 003's footnotes | 10 calendar days after the day of first publication |
| INSPECTION_MINER | joint 373/НҚ of 26.06.2024 + 49 of 28.06.2024 (003: the miner checklist's current edition) | its own clause, quoted in 003's footnotes | 10 calendar days after the day of first publication |

"по истечении N календарных дней после дня его первого официального опубликования": the N
days run from the day after publication and expire at the end of the N-th, so the order is in
force from the next day: publication + N + 1 days. "со дня ... опубликования": that day.

The publication dates are not in the seeds. They are data (models.rule_sets, set by an admin,
resolvers/rule_sets.py); until an admin enters one, the default is the order's registration
with the Ministry of Justice (in the seeds' headers: 169/НҚ 04.05.2023, 331/НҚ 17.08.2023,
404/НҚ 14.09.2023; a normative order is published only after it is registered, so this is the
earliest possible publication) and, for 95/НҚ, whose registration is not in the seeds, its
signing date 27.02.2024. Default in-force dates: LICENSING 2023-07-04, REGISTRY 2023-08-28,
POOLS 2023-09-14, LICENSING_S21 2024-03-09. The joint orders amending 003 are not registered in
the seeds either: their default is the later of the two signatures (662/НҚ + 184: 27.12.2023 ->
in force 2024-01-07; 373/НҚ + 49: 28.06.2024 -> 2024-07-09).

Pure: the table in use is passed in, or the process-wide one `activate`d by the resolver that
loads the publication dates (the default table until then).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum
from types import MappingProxyType

__all__ = [
    "DEFAULT_PUBLICATIONS",
    "ORDERS",
    "RULE_SETS",
    "Dated",
    "LegalOrder",
    "OrderFacts",
    "RuleSet",
    "RuleSetClause",
    "RuleSetTable",
    "activate",
    "active_table",
    "build_table",
    "in_force",
    "in_force_from",
]


class LegalOrder(str, Enum):
    """The ministerial orders whose final clauses date the rule sets."""

    ORDER_169 = "ORDER_169"  # 169/НҚ of 28.04.2023: licensing rules (001)
    ORDER_95 = "ORDER_95"  # 95/НҚ of 27.02.2024: amends 001 (§1, §18-1, §21, ...)
    ORDER_331 = "ORDER_331"  # 331/НҚ of 11.08.2023: the registry rules' edition (002 / 000)
    ORDER_404 = "ORDER_404"  # 404/НҚ of 13.09.2023: pool accreditation rules (004)
    ORDER_662 = "ORDER_662"  # joint 662/НҚ + 184 of 25/27.12.2023: 003 amended, pool checklist added
    ORDER_373 = "ORDER_373"  # joint 373/НҚ + 49 of 26/28.06.2024: 003's miner checklist amended


class RuleSet(str, Enum):
    LICENSING = "LICENSING"
    LICENSING_2024 = "LICENSING_2024"
    LICENSING_S21 = "LICENSING_S21"
    LICENSE_LIFE = "LICENSE_LIFE"
    REGISTRY = "REGISTRY"
    POOLS = "POOLS"
    INSPECTION_POOL = "INSPECTION_POOL"
    INSPECTION_MINER = "INSPECTION_MINER"


@dataclass(frozen=True)
class OrderFacts:
    """What the seeds say about an order: its number and date, its registration (None when the
    seeds do not give it) and how long after publication it enters into force (0: that day)."""

    number: str
    signed_on: date
    registered_on: date | None
    days_after_publication: int
    source: str  # where the seeds say it

    @property
    def default_published_on(self) -> date:
        return self.registered_on or self.signed_on


ORDERS: Mapping[LegalOrder, OrderFacts] = MappingProxyType({
    LegalOrder.ORDER_169: OrderFacts("169/НҚ", date(2023, 4, 28), date(2023, 5, 4), 60, "001, order §4"),
    LegalOrder.ORDER_95: OrderFacts("95/НҚ", date(2024, 2, 27), None, 10, "001, footnotes to §1, §21"),
    LegalOrder.ORDER_331: OrderFacts("331/НҚ", date(2023, 8, 11), date(2023, 8, 17), 10, "000, order §4; 002 footnote"),
    LegalOrder.ORDER_404: OrderFacts("404/НҚ", date(2023, 9, 13), date(2023, 9, 14), 0, "004, order §4"),
    LegalOrder.ORDER_662: OrderFacts("662/НҚ", date(2023, 12, 27), None, 10, "003, footnotes to the title, §1"),
    LegalOrder.ORDER_373: OrderFacts("373/НҚ", date(2024, 6, 28), None, 10, "003, footnote to the miner checklist"),
})

DEFAULT_PUBLICATIONS: Mapping[LegalOrder, date] = MappingProxyType(
    {order: facts.default_published_on for order, facts in ORDERS.items()}
)


@dataclass(frozen=True)
class RuleSetClause:
    """A rule set's entry-into-force clause: its order's publication + the order's delay, or a
    fixed date the clause names (`fixed_on`)."""

    rule_set: RuleSet
    order: LegalOrder
    clause: str
    fixed_on: date | None = None

    def in_force_from(self, publications: Mapping[LegalOrder, date]) -> date:
        if self.fixed_on is not None:
            return self.fixed_on
        days = ORDERS[self.order].days_after_publication
        published = publications[self.order]
        return published + timedelta(days=days + 1 if days else 0)


RULE_SETS: tuple[RuleSetClause, ...] = (
    RuleSetClause(RuleSet.LICENSING, LegalOrder.ORDER_169, "169/НҚ §4: 60 calendar days after first publication"),
    RuleSetClause(
        RuleSet.LICENSING_2024, LegalOrder.ORDER_169,
        "169/НҚ §4: App.3 item 7, item 9(3), item 10(2) and App.11 item 1(4) from 1 January 2024",
        fixed_on=date(2024, 1, 1),
    ),
    RuleSetClause(RuleSet.LICENSING_S21, LegalOrder.ORDER_95,
                  "001 §21 in the edition of 95/НҚ: 10 calendar days after first publication"),
    RuleSetClause(RuleSet.LICENSE_LIFE, LegalOrder.ORDER_95, "001 §18-1 (added by 95/НҚ): from 13.02.2024",
                  fixed_on=date(2024, 2, 13)),
    RuleSetClause(RuleSet.REGISTRY, LegalOrder.ORDER_331, "331/НҚ §4: 10 calendar days after first publication"),
    RuleSetClause(RuleSet.POOLS, LegalOrder.ORDER_404, "404/НҚ §4: from the day of first publication"),
    RuleSetClause(RuleSet.INSPECTION_POOL, LegalOrder.ORDER_662,
                  "003 pool checklist, added by 662/НҚ + 184: 10 calendar days after first publication"),
    RuleSetClause(RuleSet.INSPECTION_MINER, LegalOrder.ORDER_373,
                  "003 miner checklist in the edition of 373/НҚ + 49: 10 calendar days after first publication"),
)
_CLAUSES: Mapping[RuleSet, RuleSetClause] = MappingProxyType({c.rule_set: c for c in RULE_SETS})


@dataclass(frozen=True)
class RuleSetTable:
    """The in-force date of every rule set, for one set of publication dates."""

    publications: Mapping[LegalOrder, date]
    starts: Mapping[RuleSet, date]

    def clause(self, rule_set: RuleSet) -> RuleSetClause:
        return _CLAUSES[RuleSet(rule_set)]


def build_table(publications: Mapping[LegalOrder, date] | None = None) -> RuleSetTable:
    """The table for these publication dates; orders not given keep their default."""
    merged = {**DEFAULT_PUBLICATIONS, **(publications or {})}
    starts = {c.rule_set: c.in_force_from(merged) for c in RULE_SETS}
    return RuleSetTable(MappingProxyType(merged), MappingProxyType(starts))


DEFAULT_TABLE = build_table()
_active: list[RuleSetTable] = [DEFAULT_TABLE]  # replaced whole, never mutated in place


def activate(table: RuleSetTable) -> None:
    """Make ``table`` the one the rules use in this process (the resolver loads it)."""
    _active[0] = table


def active_table() -> RuleSetTable:
    return _active[0]


def in_force_from(dated: RuleSet | date, table: RuleSetTable | None = None) -> date:
    """The first day ``dated`` applies: a rule set's in-force date, or a plain date as is."""
    if isinstance(dated, RuleSet):
        return (table or active_table()).starts[dated]
    return dated


def in_force(rule_set: RuleSet | date, on_date: date, table: RuleSetTable | None = None) -> bool:
    """True when ``rule_set`` is in force on ``on_date``."""
    return in_force_from(rule_set, table) <= on_date


class Dated:
    """A versioned rule dated by a rule set (or, for tests and one-offs, a plain date):
    `effective_from` is its in-force date in the active table."""

    in_force_with: RuleSet | date

    @property
    def effective_from(self) -> date:
        return in_force_from(self.in_force_with)
