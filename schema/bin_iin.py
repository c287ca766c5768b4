"""`validateBinIin`: a form's preview of a BIN/IIN, answered for any string (never an error), so
a client shows the same verdict the mutations will give."""

from __future__ import annotations

from typing import Annotated

import strawberry

from rules.bin_iin import BinIinProblem, IdKind, bin_iin_problem_code, kind_of
from rules.errors import Message
from rules.limits import TextBound
from schema.bounds import bound, described
from schema.enums import expose_enum

__all__ = ["BinIinCheck", "BinIinQuery"]

expose_enum(
    IdKind,
    "BinIinKind",
    "Which of Kazakhstan's 12-digit identification numbers a number is.",
    {
        IdKind.IIN: "Individual identification number (a person, including an individual entrepreneur).",
        IdKind.BIN: "Business identification number (a legal entity; its 5th digit, 4, 5 or 6, is the "
        "legal entity's kind).",
    },
)

expose_enum(
    BinIinProblem,
    "BinIinProblem",
    "Why a number is not a valid BIN/IIN (the first failed check, in this order).",
    {
        BinIinProblem.WRONG_LENGTH: "It does not have exactly 12 characters.",
        BinIinProblem.NOT_DIGITS: "It has a character other than the ASCII digits 0-9.",
        BinIinProblem.CHECKSUM_MISMATCH: "Its 12th digit is not the check digit of the first 11 (a typo).",
        BinIinProblem.NOT_A_LEGAL_ENTITY: "A BIN was expected, but the 5th digit is not 4, 5 or 6.",
    },
)

_PROBLEMS: dict[BinIinProblem, Message] = {
    BinIinProblem.WRONG_LENGTH: Message(
        kk="БСН/ЖСН 12 цифрдан тұруы керек.",
        ru="БИН/ИИН должен состоять из 12 цифр.",
        en="A BIN/IIN has exactly 12 digits.",
    ),
    BinIinProblem.NOT_DIGITS: Message(
        kk="БСН/ЖСН тек цифрлардан тұруы керек.",
        ru="БИН/ИИН должен содержать только цифры.",
        en="A BIN/IIN contains digits only.",
    ),
    BinIinProblem.CHECKSUM_MISMATCH: Message(
        kk="Бақылау цифры сәйкес келмейді: нөмірде қате бар.",
        ru="Контрольная цифра не совпадает: в номере ошибка.",
        en="The check digit does not match: the number has a typo.",
    ),
    BinIinProblem.NOT_A_LEGAL_ENTITY: Message(
        kk="Бұл БСН емес: 5-ші цифр 4, 5 немесе 6 болуы керек.",
        ru="Это не БИН: 5-я цифра должна быть 4, 5 или 6.",
        en="This is not a BIN: its 5th digit must be 4, 5 or 6.",
    ),
}
_VALID: dict[IdKind, Message] = {
    IdKind.IIN: Message(kk="ЖСН жарамды.", ru="ИИН действителен.", en="A valid IIN."),
    IdKind.BIN: Message(kk="БСН жарамды.", ru="БИН действителен.", en="A valid BIN."),
}


@strawberry.type(description="The verdict on a BIN/IIN, as the mutations that take one will give it.")
class BinIinCheck:
    valid: bool = strawberry.field(description="True when the number is valid (of the expected kind, if given).")
    kind: IdKind | None = strawberry.field(description="Which kind the valid number is (a BIN's 5th digit is 4, "
                                           "5 or 6, an IIN's 0 to 3); null when it is not valid.")
    problem: BinIinProblem | None = strawberry.field(description="Why it is not valid; null when it is.")
    message: str = strawberry.field(description="The verdict for people, in the request's language "
                                    "(Accept-Language: kk, ru, en).")


# Whatever is pasted is answered (WRONG_LENGTH, NOT_DIGITS), short of a flood: only looked at.
_TYPED = TextBound(100_000, any_code_points=True)


@strawberry.type
class BinIinQuery:
    @strawberry.field(description="Check a BIN/IIN before sending it: checksum, digits, length and, when "
                      "`kind` is BIN, the legal-entity digit. Any string is answered, never with an error.")
    def validate_bin_iin(
        self,
        info: strawberry.Info,
        value: Annotated[str, strawberry.argument(description=described("The number as typed (not trimmed).",
                                                                        _TYPED), metadata=bound(_TYPED))],
        kind: Annotated[IdKind | None, strawberry.argument(
            description="What the number must be: BIN for a legal entity or a pool, IIN for an individual "
            "entrepreneur; null accepts either.")] = None,
    ) -> BinIinCheck:
        info.context.user  # noqa: B018 - authenticated callers only
        language = info.context.language
        problem = bin_iin_problem_code(value, kind)
        if problem is not None:
            return BinIinCheck(valid=False, kind=None, problem=problem,
                               message=_PROBLEMS[problem].in_language(language))
        found = kind_of(value)
        return BinIinCheck(valid=True, kind=found, problem=None, message=_VALID[found].in_language(language))
