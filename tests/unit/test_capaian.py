"""The arithmetic of evaluation: every formula, edge case and category bound."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from signer.evaluate.capaian import Rules, bulat, compute, kategori, mean, of_indikator
from signer.model import Arah, Indikator, Predikat, Rentang

OPINI = ("WTP", "WDP", "TW", "TMP")
SAKIP = ("AA", "A", "BB", "B", "CC", "C", "D")


@pytest.mark.parametrize(
    ("arah", "target", "realisasi", "expected"),
    [
        (Arah.NAIK, D(80), D(88), D("110.00")),  # over target stays over: uncapped
        (Arah.NAIK, D(80), D(60), D("75.00")),
        (Arah.NAIK, D("92.5"), D("92.5"), D("100.00")),
        (Arah.TURUN, D(85), D("88.2"), D("96.24")),  # (2*85 - 88.2) / 85
        (Arah.TURUN, D(10), D(5), D("150.00")),  # lower than target is better
        (Arah.TURUN, D("7.5"), D(8), D("93.33")),
        (Arah.RENTANG, Rentang(D(60), D(85)), D(70), D("100.00")),
        (Arah.RENTANG, Rentang(D(60), D(85)), D(60), D("100.00")),  # bounds are inside
        (Arah.RENTANG, Rentang(D(60), D(85)), D(45), D("75.00")),  # 45 / 60
        (Arah.RENTANG, Rentang(D(60), D(85)), D(90), D("94.12")),  # (170 - 90) / 85
    ],
)
def test_formulas(arah: Arah, target: D, realisasi: D, expected: D) -> None:
    value = compute(arah, target, realisasi).value
    assert value is not None and bulat(value) == expected


@pytest.mark.parametrize(
    ("scale", "target", "realisasi", "expected"),
    [
        (OPINI, "WTP", "WTP", D("100.00")),
        (OPINI, "WDP", "WTP", D("100.00")),  # exceeded
        (OPINI, "WTP", "WDP", D("75.00")),  # rank 3 of 4
        (OPINI, "WTP", "TMP", D("25.00")),
        (SAKIP, "BB", "B", D("80.00")),  # rank 4 / rank 5
        (SAKIP, "BB", "AA", D("100.00")),
    ],
)
def test_predikat_by_rank(scale: tuple[str, ...], target: str, realisasi: str, expected: D) -> None:
    value = compute(Arah.PREDIKAT, Predikat(target), realisasi, skala=scale).value
    assert value is not None and bulat(value) == expected


def test_edge_cases_are_defined() -> None:
    missing = compute(Arah.NAIK, D(80), None)
    assert missing.value is None and "belum diisi" in (missing.note or "")
    zero_up = compute(Arah.NAIK, D(0), D(3))
    assert zero_up.value == D(100) and "target nol" in (zero_up.note or "")
    assert compute(Arah.TURUN, D(0), D(0)).value == D(100)
    assert compute(Arah.TURUN, D(0), D(2)).value == D(0)
    negative = compute(Arah.TURUN, D(10), D(25))  # (20 - 25) / 10 = -50 %
    assert negative.value == D(0) and "negatif" in (negative.note or "")
    assert compute(Arah.TURUN, D(10), D(25), Rules(floor_negative=False)).value == D(-50)
    assert compute(Arah.RENTANG, Rentang(D(60), D(85)), D(170)).value == D(0)
    ratio = Rules(rentang_above="ratio")
    assert compute(Arah.RENTANG, Rentang(D(60), D(85)), D(100), ratio).value == D(85)
    off_scale = compute(Arah.PREDIKAT, Predikat("WTP"), "BAGUS", skala=OPINI)
    assert off_scale.value is None and "skala" in (off_scale.note or "")
    text = compute(Arah.NAIK, D(80), "tinggi")
    assert text.value is None


@pytest.mark.parametrize(
    ("value", "name"),
    [
        (D(120), "sangat tinggi"),
        (D(91), "sangat tinggi"),
        (D("90.99"), "tinggi"),
        (D("90.5"), "tinggi"),
        (D(76), "tinggi"),
        (D("75.99"), "sedang"),
        (D(66), "sedang"),
        (D(65), "rendah"),
        (D(51), "rendah"),
        (D(50), "sangat rendah"),
        (D(0), "sangat rendah"),
    ],
)
def test_categories_permendagri_86_2017(value: D, name: str) -> None:
    assert kategori(value) == name
    assert kategori(None) is None


def test_means_skip_missing_and_may_cap() -> None:
    assert mean([D(120), D(80), None]) == D(100)
    assert mean([D(120), D(80)], Rules(cap_for_average=D(100))) == D(90)
    assert mean([None, None]) is None


def test_capaian_is_kept_unrounded() -> None:
    """7.5 / 9 x 100 = 83.333...: kept whole, so that a mean of three such is exact."""
    value = compute(Arah.NAIK, D(9), D("7.5")).value
    assert value == D("7.5") / D(9) * 100
    assert bulat(value) == D("83.33")


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (D("84.445"), D("84.45")),  # half up, as Excel ROUND; half even would give 84.44
        (D("84.435"), D("84.44")),
        (D("84.4449999"), D("84.44")),
        (D("90.995"), D("91.00")),
        (D("0.005"), D("0.01")),
        (D(100), D("100.00")),
    ],
)
def test_shown_rounded_half_up(value: D, shown: D) -> None:
    assert bulat(value) == shown


def test_exactly_84_445_rounds_up() -> None:
    """realisasi 168.89 against a target of 200: capaian exactly 84.445 (no binary float could
    hold it), shown 84,45."""
    value = compute(Arah.NAIK, D(200), D("168.89")).value
    assert value == D("84.445")
    assert bulat(value) == D("84.45")
    from signer import formatting

    assert formatting.persen(value) == "84,45"


def test_kategori_is_of_the_unrounded_capaian() -> None:
    """90.996 shows as 91,00 but is below 91: tinggi, not sangat tinggi; and 75.995 (shown
    76,00) is sedang."""
    near = compute(Arah.NAIK, D(1000), D("909.96")).value
    assert near == D("90.996") and bulat(near) == D("91.00")
    assert kategori(near) == "tinggi"
    assert kategori(bulat(near)) == "sangat tinggi"  # what rounding first would have said
    below = compute(Arah.NAIK, D(1000), D("759.95")).value
    assert below is not None and bulat(below) == D("76.00") and kategori(below) == "sedang"


def test_means_are_of_unrounded_values() -> None:
    """Means are taken over unrounded capaian: 90.994 and 91.005 average 90.9995 (tinggi); the
    rounded 90,99 and 91,01 would average 91 (sangat tinggi)."""
    third = compute(Arah.NAIK, D(3), D(2)).value
    assert third is not None
    m = mean([third, third, third])
    assert m is not None and bulat(m) == D("66.67")
    assert m == third
    exact = mean([D("90.994"), D("91.005")])
    assert exact == D("90.9995") and kategori(exact) == "tinggi"
    rounded_first = mean([bulat(D("90.994")), bulat(D("91.005"))])
    assert rounded_first == D(91) and kategori(rounded_first) == "sangat tinggi"


def test_triwulan_target() -> None:
    i = Indikator("X.01", "Persentase", "%", Arah.NAIK, D(60), (D(15), D(30), D(45), D(60)))
    target, cap = of_indikator(i, 2, D(27))
    assert target == D(30) and cap.value == D(90)
    target, cap = of_indikator(i, None, D(54))
    assert target == D(60) and cap.value == D(90)
    plain = Indikator("X.02", "Indeks", "Indeks", Arah.NAIK, D(80))
    target, cap = of_indikator(plain, 1, D(20))
    assert target is None and cap.value is None and "triwulan" in (cap.note or "")
