"""Errors in the API (see schema/README.md, "Errors").

- A mutation's expected failures come back in its payload: `errors: [<Mutation>Error!]!`, a
  union of typed errors that all implement the `UserError` interface (`code`, `message` in the
  request's language, `path` to the input field). On such an error nothing was written.
- Top-level GraphQL errors are only for what is not the user's doing with the input: no or a
  bad token (UNAUTHENTICATED), a malformed request or query (BAD_REQUEST, GRAPHQL_VALIDATION,
  QUERY_TOO_COSTLY), an internal failure (INTERNAL, logged with its trace, never shown), and
  the failures of queries (which have no payload): each with `extensions.code`.

The codes and messages are the catalogue in rules/errors.py; here they become GraphQL types.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import date
from typing import Annotated, Any, ClassVar, Union

import strawberry
from graphql import GraphQLError
from strawberry import relay
from strawberry.extensions import FieldExtension
from strawberry.types.field import StrawberryField

from rules.errors import DEFAULT_LANGUAGE, DomainError, ErrorCode, render
from rules.workflow import Action, Stage
from schema.enums import expose_enum
from schema.paths import input_path
from schema.types.problems import CompletenessProblem

log = logging.getLogger("registry.errors")

expose_enum(
    ErrorCode,
    "ErrorCode",
    "Stable machine-readable error codes; the catalogue with messages is in rules/errors.py.",
    {
        ErrorCode.UNAUTHENTICATED: "Top-level: no token, or a token that is unknown, revoked or expired.",
        ErrorCode.BAD_REQUEST: "Top-level: the HTTP request is not a GraphQL request (bad JSON, encoding, size).",
        ErrorCode.GRAPHQL_VALIDATION: "Top-level: the query does not parse or does not match the schema "
        "(including unknown enum values and malformed ids in variables).",
        ErrorCode.QUERY_TOO_COSTLY: "Top-level: the query asks for too much (depth, aliases or cost in rows).",
        ErrorCode.REQUEST_TOO_LARGE: "Top-level, HTTP 413: the request body is over the size limit "
        "(GraphQL JSON or a multipart upload); it was not read.",
        ErrorCode.RATE_LIMITED: "Top-level, HTTP 429: too many requests from this address or token, or "
        "too many failed authentications from this address; `Retry-After` says when to retry.",
        ErrorCode.TIMEOUT: "Top-level, HTTP 503: the request did not finish within the time limit.",
        ErrorCode.INTERNAL: "Top-level: an unexpected failure; it is logged with its trace on the server.",
        ErrorCode.FORBIDDEN: "The caller's role or organisation may not do this.",
        ErrorCode.NOT_FOUND: "No such record, or not one the caller may see (the two are not told apart).",
        ErrorCode.CONFLICT: "The change clashes with the current state (a duplicate, a replayed "
        "clientMutationId with another input, a record in the wrong status).",
        ErrorCode.VALIDATION: "An input value is missing, malformed or out of range; `path` names it.",
        ErrorCode.INVALID_ID: "An id is not an id of the expected type.",
        ErrorCode.INVALID_BIN: "A BIN/IIN fails its checksum or its legal-entity digit.",
        ErrorCode.NO_RULES_IN_FORCE: "No version of the rules was in force on the date concerned.",
        ErrorCode.ILLEGAL_TRANSITION: "The action is not possible at the application's current stage.",
        ErrorCode.APPLICATION_INCOMPLETE: "The package has completeness problems (listed in the error).",
        ErrorCode.HEARING_NOTICE_TOO_LATE: "The hearing notice would leave fewer than 3 working days "
        "before the end of the term [001 §10].",
        ErrorCode.HEARING_TOO_LATE: "The hearing is more than 2 working days after the notice [001 §10].",
        ErrorCode.HEARING_BEFORE_NOTICE: "The hearing date is before the notice date.",
        ErrorCode.REFUSAL_GROUND_REQUIRED: "A refusal must cite at least one ground.",
        ErrorCode.INVALID_REFUSAL_GROUND: "A cited ground is not one of the procedure's grounds on that date.",
        ErrorCode.PACKAGE_COMPLETE: "A refusal of further review needs completeness problems; this package has "
        "none [001 §7 ¶2].",
        ErrorCode.COMPLETENESS_TERM_PASSED: "A refusal of further review comes within the completeness term, "
        "which has ended [001 §7 ¶2].",
        ErrorCode.DECISION_BEFORE_HEARING: "A decision after a scheduled hearing comes on or after the hearing "
        "day [001 §10 ¶3].",
        ErrorCode.GROUND_NOT_HEARD: "A refusal after the hearing cites a ground not in the preliminary decision "
        "[001 §10].",
        ErrorCode.QUALIFICATION_NOT_MET: "Approval while qualification findings stand; refuse preliminarily and "
        "hear the applicant [001 §8, §10].",
        ErrorCode.POOL_NOT_ACCREDITED: "The pool was not accredited on the day given [001 App.11 I(3), II(2); "
        "004 §3].",
        ErrorCode.FILE_NOT_ACCEPTED: "An attached file is not a PDF, JPEG or PNG by its content, or is over "
        "its size limit.",
        ErrorCode.NOT_A_LEGAL_ENTITY: "Pool accreditation is for legal entities only (a BIN) [004 §1, App.1].",
        ErrorCode.CHANNEL_NOT_ALLOWED: "The service is not filed through this channel (licensing: the portal "
        "only) [001 §4, §12].",
        ErrorCode.DOCUMENT_NOT_FOR_SUBTYPE: "A document kind of another licence subtype was attached.",
        ErrorCode.FEE_NOT_PAID: "The licence fee has not been paid [001 App.3 item 7].",
        ErrorCode.MISSING_MRP: "The MRP value of the year needed is not recorded.",
        ErrorCode.REISSUE_GROUND_REQUIRED: "A re-issue application must give a ground.",
        ErrorCode.INVALID_REISSUE_GROUND: "The re-issue ground does not exist for the licence's subtype.",
        ErrorCode.LICENSE_REVOKED: "The licence or appendix was revoked; nothing more can be done to it.",
        ErrorCode.SUSPENSION_TERM: "A suspension must end 1 to 6 months after it takes effect.",
        ErrorCode.APPLICATION_NOT_DECIDED: "The complaint is about an application not yet decided.",
        ErrorCode.COMPLAINT_GRANT_WINDOW_CLOSED: "The 3 working days to grant a complaint in full have passed.",
        ErrorCode.UNIT_LIST_INVALID: "The unit list has row errors (listed in the error); nothing was filed.",
        ErrorCode.SERIAL_ALREADY_REGISTERED: "A serial number is already in the registry.",
        ErrorCode.UNIT_NOT_IN_REGISTRY: "A named record is not among the applicant's live registry records.",
        ErrorCode.DATA_CENTER_NOT_USABLE: "The miner may not place units in this data center.",
        ErrorCode.INVALID_TNVED: "A customs commodity code (TN VED EAEU) is not 10 digits.",
        ErrorCode.EVENT_CURSOR_EXPIRED: "The events cursor points before the retention window "
        "(settings.event_retention_days): events after it may be gone; resume from the window's start.",
    },
)


# -- the interface and the typed errors ---------------------------------------------------------


@strawberry.interface(
    description="An expected failure of a mutation. Nothing was written when a payload has errors."
)
class UserError:
    code: ErrorCode = strawberry.field(description="Stable machine-readable code.")
    message: str = strawberry.field(description="What went wrong, in the request's language (Accept-Language: kk, ru, en).")
    path: list[str] | None = strawberry.field(
        description="The input field concerned, relative to the mutation's `input`, in camelCase "
        "as the client sent it; list positions as strings (`[\"documents\", \"0\", \"kind\"]`). "
        "Null when the error is not about one field."
    )

    # The codes this type stands for; `RuleViolation` takes every code no other type claims.
    CODES: ClassVar[frozenset[ErrorCode]] = frozenset()

    @classmethod
    def build(cls, err: DomainError, language: str) -> UserError:
        return cls(code=err.code, message=err.message(language), path=input_path(err.field), **cls.extra(err))

    @classmethod
    def extra(cls, err: DomainError) -> dict[str, Any]:
        return {}


@strawberry.type(description="An input value is missing, malformed or out of range.")
class InvalidInput(UserError):
    detail: str | None = strawberry.field(
        description="Developer-facing specifics in English (which rule failed); show `message` to people."
    )
    CODES: ClassVar[frozenset[ErrorCode]] = frozenset(
        {
            ErrorCode.VALIDATION, ErrorCode.INVALID_ID, ErrorCode.INVALID_BIN, ErrorCode.INVALID_TNVED,
            ErrorCode.DOCUMENT_NOT_FOR_SUBTYPE, ErrorCode.REISSUE_GROUND_REQUIRED,
            ErrorCode.INVALID_REISSUE_GROUND, ErrorCode.REFUSAL_GROUND_REQUIRED,
            ErrorCode.INVALID_REFUSAL_GROUND,
        }
    )

    @classmethod
    def extra(cls, err: DomainError) -> dict[str, Any]:
        return {"detail": err.detail}


@strawberry.type(description="The record does not exist or is not the caller's to see (not told apart).")
class NotFound(UserError):
    CODES: ClassVar[frozenset[ErrorCode]] = frozenset({ErrorCode.NOT_FOUND})


@strawberry.type(description="The caller's role or organisation may not do this.")
class Forbidden(UserError):
    CODES: ClassVar[frozenset[ErrorCode]] = frozenset({ErrorCode.FORBIDDEN})


@strawberry.type(description="The change clashes with the current state of the data.")
class Conflict(UserError):
    CODES: ClassVar[frozenset[ErrorCode]] = frozenset({ErrorCode.CONFLICT})


@strawberry.type(description="A rule of the regulations forbids this (any code without a type of its own).")
class RuleViolation(UserError):
    pass


@strawberry.type(description="The action is not possible at the application's current stage.")
class IllegalTransition(UserError):
    stage: Stage = strawberry.field(description="The application's current stage.")
    action: Action = strawberry.field(description="The action that was refused.")
    CODES: ClassVar[frozenset[ErrorCode]] = frozenset({ErrorCode.ILLEGAL_TRANSITION})

    @classmethod
    def extra(cls, err: DomainError) -> dict[str, Any]:
        return {"stage": Stage(err.params["stage"]), "action": Action(err.params["action"])}


@strawberry.type(description="The hearing notice comes too late [001 §10, 002 §12, 004 §10].")
class HearingNoticeTooLate(UserError):
    last_day: date = strawberry.field(description="The last day (Almaty) the notice could be sent.")
    CODES: ClassVar[frozenset[ErrorCode]] = frozenset({ErrorCode.HEARING_NOTICE_TOO_LATE})

    @classmethod
    def extra(cls, err: DomainError) -> dict[str, Any]:
        return {"last_day": date.fromisoformat(err.params["limit"])}


@strawberry.type(description="The hearing date is outside its window: after the 2 working days that "
                 "follow the notice, or before the notice [001 §10].")
class HearingOutOfWindow(UserError):
    limit: date = strawberry.field(description="The latest (HEARING_TOO_LATE) or earliest "
                                   "(HEARING_BEFORE_NOTICE) day allowed.")
    CODES: ClassVar[frozenset[ErrorCode]] = frozenset(
        {ErrorCode.HEARING_TOO_LATE, ErrorCode.HEARING_BEFORE_NOTICE}
    )

    @classmethod
    def extra(cls, err: DomainError) -> dict[str, Any]:
        return {"limit": date.fromisoformat(err.params["limit"])}


@strawberry.type(description="The package is incomplete: every problem is listed [001 §7].")
class ApplicationIncomplete(UserError):
    problems: list[CompletenessProblem] = strawberry.field(description="Each gap, with its field.")
    CODES: ClassVar[frozenset[ErrorCode]] = frozenset({ErrorCode.APPLICATION_INCOMPLETE})

    @classmethod
    def build(cls, err: DomainError, language: str) -> UserError:
        problems = [CompletenessProblem.from_problem(p, language) for p in err.params.get("problems", [])]
        return cls(code=err.code, message=err.message(language), path=None, problems=problems)


@strawberry.type(description="A serial number is already in the registry [002 §3: one unit, one record].")
class SerialAlreadyRegistered(UserError):
    serial: str = strawberry.field(description="The serial number as written in the application.")
    line: int | None = strawberry.field(description="Its line in the unit list, when known.")
    record_number: int | None = strawberry.field(description="The registry record that holds it.")
    holder_name: str | None = strawberry.field(description="The name of the miner holding that record; null unless "
                                               "the caller may read it (officers, inspectors, the holder itself).")
    holder_bin_iin: str | None = strawberry.field(description="That miner's BIN/IIN; null unless the caller may "
                                                  "read it.")
    CODES: ClassVar[frozenset[ErrorCode]] = frozenset({ErrorCode.SERIAL_ALREADY_REGISTERED})

    @classmethod
    def extra(cls, err: DomainError) -> dict[str, Any]:
        p = err.params
        return {"serial": str(p.get("serial", "")), "line": p.get("line"), "record_number": p.get("record"),
                "holder_name": p.get("holder_name"), "holder_bin_iin": p.get("holder_bin_iin")}


@strawberry.type(description="Records named are not among the applicant's live registry records (another "
                 "miner's serial reads the same as an unknown one) [002 App.4, App.9].")
class UnitNotInRegistry(UserError):
    serials: list[str] = strawberry.field(description="The serial numbers concerned, as written (at most 100).")
    unit_ids: list[relay.GlobalID] = strawberry.field(description="The AsicUnit ids concerned (records named by id "
                                                      "that are excluded or another miner's), at most 100.")
    CODES: ClassVar[frozenset[ErrorCode]] = frozenset({ErrorCode.UNIT_NOT_IN_REGISTRY})

    @classmethod
    def extra(cls, err: DomainError) -> dict[str, Any]:
        p = err.params
        return {"serials": [str(s) for s in p.get("serials", [])],
                "unit_ids": [relay.GlobalID("AsicUnit", str(pk)) for pk in p.get("unit_ids", [])]}


@strawberry.type(description="A suspension's end date is outside 1 to 6 months [Law on digital assets art. 9].")
class SuspensionTermOutOfRange(UserError):
    earliest: date = strawberry.field(description="The earliest end date allowed.")
    latest: date = strawberry.field(description="The latest end date allowed.")
    CODES: ClassVar[frozenset[ErrorCode]] = frozenset({ErrorCode.SUSPENSION_TERM})

    @classmethod
    def extra(cls, err: DomainError) -> dict[str, Any]:
        return {"earliest": date.fromisoformat(str(err.params["earliest"])),
                "latest": date.fromisoformat(str(err.params["latest"]))}


# Every payload's union holds these; procedures add their own typed errors.
COMMON_ERRORS: tuple[type[UserError], ...] = (InvalidInput, NotFound, Forbidden, Conflict, RuleViolation)
# Types used by more than one procedure, in the order they are tried.
TYPED_ERRORS: list[type[UserError]] = [
    IllegalTransition, HearingNoticeTooLate, HearingOutOfWindow, ApplicationIncomplete,
    SerialAlreadyRegistered, UnitNotInRegistry, SuspensionTermOutOfRange,
]


def register_error_type(cls: type[UserError]) -> type[UserError]:
    """A procedure's own typed error (e.g. the unit list's row issues)."""
    TYPED_ERRORS.append(cls)
    return cls


def user_error(err: DomainError, language: str, allowed: Sequence[type[UserError]]) -> UserError:
    """The typed error for `err` among the payload's `allowed` types (RuleViolation if none)."""
    for cls in (*allowed, *TYPED_ERRORS):
        if err.code in cls.CODES and cls in allowed:
            try:
                return cls.build(err, language)
            except (KeyError, TypeError, ValueError):
                log.exception("error %s lacks the data of %s", err.code, cls.__name__)
                break
    return RuleViolation(code=err.code, message=err.message(language), path=input_path(err.field))


# -- payloads and mutations -------------------------------------------------------------------


def payload(*error_types: type[UserError], description: str) -> Callable[[type], type]:
    """Make `cls` a mutation payload: its fields (all defaulting to None: the result) plus
    `errors`, a list of the union `<Mutation>Error` of `error_types` and the common errors."""

    def wrap(cls: type) -> type:
        name = cls.__name__.removesuffix("Payload")
        members = tuple(dict.fromkeys((*error_types, *COMMON_ERRORS)))
        union = Annotated[
            Union[members],  # noqa: UP007 - a runtime union of classes for strawberry
            strawberry.union(f"{name}Error", description=f"What can go wrong in `{name[:1].lower()}{name[1:]}`."),
        ]
        cls.__annotations__["errors"] = list[union]
        cls.errors = strawberry.field(  # type: ignore[attr-defined]
            default_factory=list,
            description="Empty on success. Otherwise what went wrong, and nothing was written.",
        )
        cls.ERROR_TYPES = members  # type: ignore[attr-defined]
        return strawberry.type(cls, description=description)

    return wrap


class PayloadErrors(FieldExtension):
    """Turns a DomainError raised by the use case into the payload's typed `errors`."""

    payload_cls: type

    def apply(self, field: StrawberryField) -> None:
        payload_cls = field.type
        if not hasattr(payload_cls, "ERROR_TYPES"):
            raise TypeError(f"mutation {field.python_name} must return a @payload type")
        self.payload_cls = payload_cls  # type: ignore[assignment]
        for argument in field.arguments:
            if argument.python_name == "input" and not argument.description:
                argument.description = "What to do: see the input type."

    def resolve(self, next_: Callable[..., Any], source: Any, info: strawberry.Info, **kwargs: Any) -> Any:
        try:
            return next_(source, info, **kwargs)
        except DomainError as err:
            return self._failed(err, info)

    async def resolve_async(self, next_: Callable[..., Any], source: Any, info: strawberry.Info, **kwargs: Any) -> Any:
        try:
            return await next_(source, info, **kwargs)
        except DomainError as err:
            return self._failed(err, info)

    def _failed(self, err: DomainError, info: strawberry.Info) -> Any:
        if err.code is ErrorCode.UNAUTHENTICATED:
            raise err  # not the input's fault: a top-level error
        language = getattr(info.context, "language", DEFAULT_LANGUAGE)
        log.info("mutation %s refused: %s", info.field_name, err)
        return self.payload_cls(errors=[user_error(err, language, self.payload_cls.ERROR_TYPES)])  # type: ignore[attr-defined]


def mutation(description: str, *, idempotent: bool = False, **kwargs: Any) -> Any:
    """A mutation field: one `input` argument, a @payload return type, typed errors.

    `idempotent=True` (create and file mutations): the input has an optional
    `clientMutationId`, and a replay returns the first result (schema/idempotency.py)."""
    from schema.idempotency import Idempotent  # the extension builds payloads: no import cycle

    extensions = [*kwargs.pop("extensions", []), *([Idempotent()] if idempotent else []), PayloadErrors()]
    return strawberry.mutation(description=description, extensions=extensions, **kwargs)


# -- top-level errors ---------------------------------------------------------------------------


def localize(error: GraphQLError, language: str) -> GraphQLError:
    original = error.original_error
    if isinstance(original, relay.GlobalIDValueError):
        # An id that is not an id at all, met while the arguments were read.
        original = DomainError(ErrorCode.INVALID_ID, detail="not a global id")
    if isinstance(original, DomainError):
        extensions: dict[str, Any] = {"code": original.code.value}
        if path := input_path(original.field):
            extensions["path"] = path
        if original.detail:
            extensions["detail"] = original.detail
        message = original.message(language)
    elif original is None or error.path is None:
        # No resolver path: the request itself is wrong (syntax, validation, variable coercion
        # such as an unknown enum value or a malformed id); its message describes the request.
        if error.extensions and "code" in error.extensions:
            return error
        extensions = {"code": ErrorCode.GRAPHQL_VALIDATION.value}
        message = error.message
    else:
        log.error("unexpected error", exc_info=original)
        extensions = {"code": ErrorCode.INTERNAL.value}
        message = render(ErrorCode.INTERNAL, language)
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions=extensions,
    )
