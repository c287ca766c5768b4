"""The rule sets' entry into force: every user reads the table, admins set the orders'
publication dates (rules/rule_sets.py, resolvers/rule_sets.py)."""

from __future__ import annotations

from datetime import date

import strawberry

from resolvers import rule_sets as uc
from rules.rule_sets import ORDERS, LegalOrder, RuleSet, RuleSetTable
from schema.enums import expose_enum
from schema.errors import mutation, payload

__all__ = ["RuleSetMutation", "RuleSetQuery"]

expose_enum(
    LegalOrder,
    "LegalOrder",
    "A ministerial order whose final clause dates a rule set.",
    {
        LegalOrder.ORDER_169: "Order 169/НҚ of 28.04.2023: the licensing rules; in force 60 calendar days "
        "after its first publication [001, order §4].",
        LegalOrder.ORDER_95: "Order 95/НҚ of 27.02.2024: amends the licensing rules (§21 in force 10 calendar "
        "days after its first publication; §18-1 from 13.02.2024) [001, footnotes].",
        LegalOrder.ORDER_331: "Order 331/НҚ of 11.08.2023: the current edition of the ASIC registry rules; in "
        "force 10 calendar days after its first publication [000, order §4; 002].",
        LegalOrder.ORDER_404: "Order 404/НҚ of 13.09.2023: the pool accreditation rules; in force from the day "
        "of its first publication [004, order §4].",
        LegalOrder.ORDER_662: "Joint order 662/НҚ of 25.12.2023 and 184 of 27.12.2023: amends the inspection "
        "checklists and adds the pool checklist; in force 10 calendar days after its first publication [003].",
        LegalOrder.ORDER_373: "Joint order 373/НҚ of 26.06.2024 and 49 of 28.06.2024: the current edition of the "
        "miner checklist; in force 10 calendar days after its first publication [003].",
    },
)
expose_enum(
    RuleSet,
    "RuleSet",
    "A set of rules dated by one entry-into-force clause; an application is judged by the rules in force "
    "on its registration date.",
    {
        RuleSet.LICENSING: "The licensing rules: procedure, terms, grounds, qualification [001].",
        RuleSet.LICENSING_2024: "The fee, payment data, the \"fee not paid\" ground and App.11 I(4), from "
        "2024-01-01 [001, order §4].",
        RuleSet.LICENSING_S21: "001 §21 in the edition of order 95/НҚ (complaint review by the provider).",
        RuleSet.LICENSE_LIFE: "001 §18-1: suspension, resumption and revocation of a licence, from 13.02.2024.",
        RuleSet.REGISTRY: "The ASIC registry rules in the edition of order 331/НҚ [002, 000].",
        RuleSet.POOLS: "The pool accreditation rules in the edition of order 404/НҚ [004].",
        RuleSet.INSPECTION_POOL: "The pool inspection checklist (8 requirements), added by order 662/НҚ [003].",
        RuleSet.INSPECTION_MINER: "The miner inspection checklist (8 requirements) in the edition of order "
        "373/НҚ [003].",
    },
)


@strawberry.type(description="When a rule set enters into force, and why: its order's clause and publication.")
class RuleSetVersion:
    rule_set: RuleSet = strawberry.field(description="The rule set.")
    order: LegalOrder = strawberry.field(description="The order whose clause dates it.")
    order_number: str = strawberry.field(description="The order's number as printed, e.g. \"169/НҚ\".")
    clause: str = strawberry.field(description="The entry-into-force clause, summarised with its place.")
    published_on: date = strawberry.field(description="The order's first official publication (Almaty): as "
                                          "entered by an admin, else the documented default.")
    publication_is_default: bool = strawberry.field(description="True while no admin has entered the "
                                                    "publication date: the default is the order's registration "
                                                    "with the Ministry of Justice (its signing date when the "
                                                    "seeds do not give the registration).")
    in_force_from: date = strawberry.field(description="The first day the rule set applies (Almaty).")


def _versions(table: RuleSetTable, entered: set[LegalOrder]) -> list[RuleSetVersion]:
    result = []
    for rule_set, starts in table.starts.items():
        clause = table.clause(rule_set)
        result.append(RuleSetVersion(
            rule_set=rule_set, order=clause.order, order_number=ORDERS[clause.order].number, clause=clause.clause,
            published_on=table.publications[clause.order], publication_is_default=clause.order not in entered,
            in_force_from=starts,
        ))
    return result


async def _current() -> list[RuleSetVersion]:
    entered = set(await uc.publications())
    return _versions(await uc.load_rule_sets(), entered)


@strawberry.input(description="Admin: the day an order was first officially published.")
class SetOrderPublicationInput:
    order: LegalOrder = strawberry.field(description="The order.")
    published_on: date = strawberry.field(description="The day of first official publication (Almaty): not before "
                                          "the order's registration (or signing) and not after today.")
    source: str = strawberry.field(description="Where it was published (e.g. the reference bank of normative "
                                   "acts, with its reference), up to 500 characters.")


@payload(description="The rule sets' in-force dates after the change, or why not.")
class SetOrderPublicationPayload:
    rule_sets: list[RuleSetVersion] | None = strawberry.field(default=None, description="Every rule set with "
                                                              "its in-force date, as the rules now use them.")


@strawberry.type
class RuleSetQuery:
    @strawberry.field(description="Every rule set with the clause and the date it enters into force (every user).")
    async def rule_sets(self, info: strawberry.Info) -> list[RuleSetVersion]:
        info.context.user  # noqa: B018 - authenticated callers only
        return await _current()


@strawberry.type
class RuleSetMutation:
    @mutation(description="Admin: record the day an order was first published; the rule sets it dates move with "
              "it (an application is judged by the rules in force on its registration date).")
    async def set_order_publication(
        self, info: strawberry.Info, input: SetOrderPublicationInput
    ) -> SetOrderPublicationPayload:
        cmd = uc.SetOrderPublication(order=input.order, published_on=input.published_on, source=input.source)
        await uc.set_publication(info.context.user, cmd)
        return SetOrderPublicationPayload(rule_sets=await _current())
