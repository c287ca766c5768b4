"""Problems found in an application's package, as clients see them (in errors and on
applications)."""

from __future__ import annotations

import strawberry

from rules.problems import FurtherReviewReason, Problem, ProblemCode, ProblemKind
from schema.enums import expose_enum
from schema.paths import input_path

expose_enum(
    ProblemCode,
    "CompletenessProblemCode",
    "What is missing or wrong in an application's package [001 §7, App.11; 002 App.2, App.4].",
    {
        ProblemCode.MISSING_DOCUMENT: "A document the rules require was not attached.",
        ProblemCode.EXPIRED_DOCUMENT: "An attached document had expired on the registration date.",
        ProblemCode.DOCUMENT_NOT_FOR_SUBTYPE: "A document of another licence subtype was attached.",
        ProblemCode.MISSING_CONFIRMATION: "One of the applicant's four confirmations was not given.",
        ProblemCode.ELECTRICITY_METHOD_REQUIRED: "Subtype I: the electricity purchase method is missing.",
        ProblemCode.ELECTRICITY_METHOD_MISMATCH: "The purchase method contradicts the data center's power source.",
        ProblemCode.DATA_CENTER_REQUIRED: "Subtype I: no data center was named.",
        ProblemCode.DC_IN_RESIDENTIAL_ZONE: "The data center is inside a residential zone.",
        ProblemCode.MISSING_GRID_FACTS: "The substation voltage or permitted capacity is unknown.",
        ProblemCode.GRID_BELOW_35KV: "The substation is below 35 kV [001 App.11 I(5)].",
        ProblemCode.GRID_BELOW_1MW: "The permitted capacity is below 1 MW [001 App.11 I(5)].",
        ProblemCode.HOST_NOT_LICENSED: "Subtype II: the host data center's owner has no active subtype I licence.",
        ProblemCode.OWNERSHIP_DOCUMENT_MISSING: "Registry inclusion: the ownership document is missing [002 App.2 item 9].",
        ProblemCode.PD_CONSENT_MISSING: "Consent to personal data processing was not given.",
        ProblemCode.QUANTITY_MISMATCH: "The declared quantity differs from the number of unit lines.",
        ProblemCode.REASON_DOCUMENT_MISSING: "Registry exclusion: the document proving the reason is missing.",
        ProblemCode.FEE_UNDERPAID: "The recorded payment is less than the fee due [001 App.3 items 7, 9.3].",
        ProblemCode.POOL_NOT_ACCREDITED: "The miner's pool was not accredited on the registration date "
        "[001 App.11 I(3), II(2)].",
        ProblemCode.POOL_NOT_VERIFIABLE: "No pool membership is recorded for the miner on the registration date, so "
        "the system cannot check the pool against the register: the officer checks the evidence [001 App.11 I(3), "
        "II(2)].",
        ProblemCode.POOL_CONDITION_NOT_SHOWN: "Pool accreditation: the data of a mandatory condition was not given "
        "(`path` names it: `conditions.<PoolCondition>`) [004 §4, §7].",
        ProblemCode.POOL_CONDITION_NOT_MET: "Pool accreditation: a mandatory condition is not met [004 §4; App.2 "
        "item 9(2)].",
    },
)
expose_enum(
    ProblemKind,
    "ProblemKind",
    "Which check found a problem; the two lead to different acts [001 §7, §8, §10].",
    {
        ProblemKind.COMPLETENESS: "Completeness [001 §7]: blocks acceptance; the only reason for a refusal of "
        "further review.",
        ProblemKind.QUALIFICATION: "A qualification requirement not met [001 §8]: a refusal ground of App.3 "
        "item 10(3), heard at a hearing after a preliminary refusal; never a refusal of further review.",
        ProblemKind.NOT_VERIFIABLE: "A requirement the system cannot verify from its data: shown for the "
        "officer, decides nothing by itself.",
    },
)
expose_enum(
    FurtherReviewReason,
    "FurtherReviewReason",
    "The reasons of a refusal of further review [001 §7 ¶2, §14 ¶2; 002 §9; 004 §7, §12].",
    {
        FurtherReviewReason.INCOMPLETE_PACKAGE: "The package is incomplete (a document, confirmation or fact "
        "missing).",
        FurtherReviewReason.EXPIRED_DOCUMENTS: "Documents had expired on the registration date.",
    },
)


@strawberry.type(description="One gap in an application's package, with the input field it concerns.")
class CompletenessProblem:
    code: ProblemCode = strawberry.field(description="What kind of gap it is.")
    path: list[str] = strawberry.field(
        description="The input field concerned, in camelCase as the client sent it "
        "(e.g. `[\"documents\", \"DC_OWNERSHIP\"]`)."
    )
    message: str = strawberry.field(description="What is wrong, in the request's language.")
    kind: ProblemKind = strawberry.field(description="Which check found it (completeness or qualification).")

    @classmethod
    def from_problem(cls, problem: Problem, language: str) -> CompletenessProblem:
        return cls(code=problem.code, path=input_path(problem.field) or [], message=problem.message(language),
                   kind=problem.kind)
