"""The arithmetic of evaluation: capaian (achievement, percent) and its category.

Default rules (notes/domain.md §3; each is a field of :class:`Rules`):
- naik: capaian = realisasi / target x 100.
- turun: capaian = (2 x target - realisasi) / target x 100 (PermenPAN-RB 6/2022).
- predikat: ranks on the scale (best = highest); reached or exceeded = 100, else
  rank(realisasi) / rank(target) x 100.
- rentang: 100 inside the range; below it realisasi / lower x 100; above it
  (2 x upper - realisasi) / upper x 100 (overshooting a band is as bad as undershooting it).
- Target zero: naik gives 100 for any realisasi >= 0; turun gives 100 for realisasi 0 and 0
  otherwise (there is no ratio to take). A missing realisasi gives no capaian ("belum diisi") and
  is left out of averages. A negative result is floored at 0 and says so. Capaian is reported
  uncapped (120 % is 120 %); averages may be capped (``cap_for_average``).
- Categories (Permendagri 86/2017), as half-open intervals so that 90.5 has a home:
  >= 91 sangat tinggi, >= 76 tinggi, >= 66 sedang, >= 51 rendah, else sangat rendah.

Arithmetic: Decimal throughout, never float. A capaian is kept unrounded; its kategori and every
mean (per sasaran, per unit, over all units) are taken from unrounded values, and only what is
shown is rounded, half up to two places (:func:`bulat`), as Excel's ROUND and LKjIP tables do:
84.445 shows as 84,45, and 90.996 shows as 91,00 while its kategori stays "tinggi".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from signer.model import Arah, Indikator, Predikat, Rentang, Target

HUNDRED = Decimal(100)
PLACES = Decimal("0.01")

KATEGORI: tuple[tuple[Decimal, str], ...] = (
    (Decimal(91), "sangat tinggi"),
    (Decimal(76), "tinggi"),
    (Decimal(66), "sedang"),
    (Decimal(51), "rendah"),
)
SANGAT_RENDAH = "sangat rendah"

Value = Decimal | str | None  # a number, a predikat, or nothing reported


@dataclass(frozen=True)
class Rules:
    """How capaian is computed; the defaults follow the regulations cited above."""

    floor_negative: bool = True
    rentang_above: str = "symmetric"  # or "ratio": upper / realisasi x 100
    cap_for_average: Decimal | None = None  # e.g. 100 or 120; None keeps averages uncapped
    categories: tuple[tuple[Decimal, str], ...] = KATEGORI


DEFAULT_RULES = Rules()


@dataclass(frozen=True)
class Capaian:
    value: Decimal | None  # percent, unrounded; None when it cannot be computed
    note: str | None = None  # why there is no value, or what was adjusted


def bulat(d: Decimal) -> Decimal:
    """``d`` as shown: two places, half up (84.445 -> 84.45; Python's default would give 84.44)."""
    return d.quantize(PLACES, rounding=ROUND_HALF_UP)


def _floor(value: Decimal, rules: Rules) -> Capaian:
    if value < 0 and rules.floor_negative:
        return Capaian(Decimal(0), "hasil negatif, dibulatkan ke 0")
    return Capaian(value)


def compute(
    arah: Arah,
    target: Target,
    realisasi: Value,
    rules: Rules = DEFAULT_RULES,
    skala: Sequence[str] | None = None,
) -> Capaian:
    """Capaian of one indikator; never raises for a well-typed target."""
    if realisasi is None:
        return Capaian(None, "realisasi belum diisi")
    if arah is Arah.PREDIKAT:
        assert isinstance(target, Predikat) and skala
        if not isinstance(realisasi, str) or realisasi not in skala:
            return Capaian(None, f"predikat {realisasi!r} tidak ada pada skala")
        rank = {v: len(skala) - i for i, v in enumerate(skala)}  # best = highest
        got, want = rank[realisasi], rank[target.nilai]
        return Capaian(HUNDRED if got >= want else Decimal(got) / Decimal(want) * HUNDRED)
    if not isinstance(realisasi, Decimal):
        return Capaian(None, f"realisasi {realisasi!r} bukan angka")
    if arah is Arah.RENTANG:
        assert isinstance(target, Rentang)
        lo, hi = target.bawah, target.atas
        if lo <= realisasi <= hi:
            return Capaian(HUNDRED)
        if realisasi < lo:
            if lo == 0:
                return Capaian(HUNDRED)
            return _floor(realisasi / lo * HUNDRED, rules)
        if rules.rentang_above == "ratio":
            return _floor(hi / realisasi * HUNDRED, rules) if realisasi else Capaian(None)
        if hi == 0:
            return Capaian(Decimal(0), "di atas rentang bertarget nol")
        return _floor((2 * hi - realisasi) / hi * HUNDRED, rules)
    assert isinstance(target, Decimal)
    if arah is Arah.NAIK:
        if target == 0:
            return Capaian(HUNDRED, "target nol: tercapai")
        return _floor(realisasi / target * HUNDRED, rules)
    # turun
    if target == 0:
        return (
            Capaian(HUNDRED, "target nol: tercapai")
            if realisasi <= 0
            else Capaian(Decimal(0), "target nol: tidak tercapai")
        )
    return _floor((2 * target - realisasi) / target * HUNDRED, rules)


def kategori(value: Decimal | None, rules: Rules = DEFAULT_RULES) -> str | None:
    if value is None:
        return None
    for bound, name in rules.categories:
        if value >= bound:
            return name
    return SANGAT_RENDAH


def mean(values: Sequence[Decimal | None], rules: Rules = DEFAULT_RULES) -> Decimal | None:
    """Mean of the unrounded capaian that exist (capped when the rules say so); None if there
    are none. Not rounded: a mean of means stays exact, and kategori reads it as it is."""
    present = [v for v in values if v is not None]
    if not present:
        return None
    if rules.cap_for_average is not None:
        present = [min(v, rules.cap_for_average) for v in present]
    return sum(present, Decimal(0)) / len(present)


def of_indikator(
    i: Indikator, periode: int | None, realisasi: Value, rules: Rules = DEFAULT_RULES
) -> tuple[Target | None, Capaian]:
    """The target for ``periode`` (1-4 a triwulan, None the year) and the capaian against it."""
    if periode is None:
        target: Target = i.target
    elif i.target_triwulan:
        target = i.target_triwulan[periode - 1]
    else:
        return None, Capaian(None, "tanpa target triwulan")
    return target, compute(i.arah, target, realisasi, rules, i.skala)
