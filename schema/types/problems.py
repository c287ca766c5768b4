"""Problems found in an application's package, as clients see them (in errors and on
applications)."""

from __future__ import annotations

import strawberry

from rules.problems import Problem, ProblemCode
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

    @classmethod
    def from_problem(cls, problem: Problem, language: str) -> CompletenessProblem:
        return cls(code=problem.code, path=input_path(problem.field) or [], message=problem.message(language))
