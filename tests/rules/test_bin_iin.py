import pytest

from rules.bin_iin import IdKind, bin_iin_problem, checksum_digit, is_valid_bin_iin, make_bin_iin


@pytest.mark.parametrize(
    ("value", "kind", "valid"),
    [
        ("061211600012", None, True),  # the example of DOMAIN.md
        ("061211600013", None, False),  # control digit off by one
        ("061211600010", None, False),
        ("980440000016", IdKind.BIN, True),  # 5th digit 4: a legal entity
        ("980412400009", IdKind.BIN, False),  # checksum fine, 5th digit 1 is no LE kind
        ("061211600012", IdKind.BIN, False),  # valid IIN, but 5th digit 1 is no LE kind
        ("06121160001", None, False),  # 11 digits
        ("0612116000123", None, False),  # 13 digits
        ("", None, False),
        ("06121160001A", None, False),  # a letter
        ("０６１２１１６０００１２", None, False),  # full-width digits are not ASCII digits
        ("06121 600012", None, False),
    ],
)
def test_valid_and_invalid_numbers(value, kind, valid):
    assert is_valid_bin_iin(value, kind) is valid


def test_second_weight_set_is_used_when_first_gives_10():
    # 1*0+2*0+...: choose digits where the first weighted sum mod 11 is 10.
    first11 = "00000000001"  # weight 11 * 1 = 11 -> 0, not 10; search one that gives 10
    candidates = [f"{n:011d}" for n in range(1, 5000)]
    needing_second = [
        c for c in candidates if sum(int(d) * w for d, w in zip(c, range(1, 12), strict=True)) % 11 == 10
    ]
    assert needing_second, first11
    sample = needing_second[0]
    second = sum(int(d) * w for d, w in zip(sample, (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2), strict=True)) % 11
    if second == 10:
        assert checksum_digit(sample) is None
    else:
        assert checksum_digit(sample) == second
        assert is_valid_bin_iin(sample + str(second))
        # The first-set answer (10) can never be a digit, so only the second set validates.


def test_number_whose_both_weight_sets_give_10_is_invalid_whatever_its_last_digit():
    both_ten = next(
        f"{n:011d}"
        for n in range(1, 10**6)
        if sum(int(d) * w for d, w in zip(f"{n:011d}", range(1, 12), strict=True)) % 11 == 10
        and sum(int(d) * w for d, w in zip(f"{n:011d}", (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2), strict=True)) % 11
        == 10
    )
    assert all(not is_valid_bin_iin(both_ten + str(d)) for d in range(10))
    with pytest.raises(ValueError):
        make_bin_iin(both_ten)


def test_problem_texts_name_the_failure():
    assert "12 digits" in bin_iin_problem("123")
    assert "digits only" in bin_iin_problem("12345678901X")
    assert "checksum" in bin_iin_problem("061211600013")
    assert "5th digit" in bin_iin_problem("061211600012", IdKind.BIN)
