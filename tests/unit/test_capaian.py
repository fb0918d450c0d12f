"""The arithmetic of evaluation: every formula, edge case and category bound."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from signer.evaluate.capaian import Rules, compute, kategori, mean, of_indikator
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
    assert compute(arah, target, realisasi).value == expected


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
    assert compute(Arah.PREDIKAT, Predikat(target), realisasi, skala=scale).value == expected


def test_edge_cases_are_defined() -> None:
    missing = compute(Arah.NAIK, D(80), None)
    assert missing.value is None and "belum diisi" in (missing.note or "")
    zero_up = compute(Arah.NAIK, D(0), D(3))
    assert zero_up.value == D("100.00") and "target nol" in (zero_up.note or "")
    assert compute(Arah.TURUN, D(0), D(0)).value == D("100.00")
    assert compute(Arah.TURUN, D(0), D(2)).value == D("0.00")
    negative = compute(Arah.TURUN, D(10), D(25))  # (20 - 25) / 10 = -50 %
    assert negative.value == D("0.00") and "negatif" in (negative.note or "")
    assert compute(Arah.TURUN, D(10), D(25), Rules(floor_negative=False)).value == D("-50.00")
    assert compute(Arah.RENTANG, Rentang(D(60), D(85)), D(170)).value == D("0.00")
    ratio = Rules(rentang_above="ratio")
    assert compute(Arah.RENTANG, Rentang(D(60), D(85)), D(100), ratio).value == D("85.00")
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
    assert mean([D(120), D(80), None]) == D("100.00")
    assert mean([D(120), D(80)], Rules(cap_for_average=D(100))) == D("90.00")
    assert mean([None, None]) is None


def test_triwulan_target() -> None:
    i = Indikator("X.01", "Persentase", "%", Arah.NAIK, D(60), (D(15), D(30), D(45), D(60)))
    target, cap = of_indikator(i, 2, D(27))
    assert target == D(30) and cap.value == D("90.00")
    target, cap = of_indikator(i, None, D(54))
    assert target == D(60) and cap.value == D("90.00")
    plain = Indikator("X.02", "Indeks", "Indeks", Arah.NAIK, D(80))
    target, cap = of_indikator(plain, 1, D(20))
    assert target is None and cap.value is None and "triwulan" in (cap.note or "")
