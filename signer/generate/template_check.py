"""`kinerja template check`: the variables a Word template uses, a trial render, and what the
rendered lampiran must print.

Evaluation reads each indikator's target and arah years later; a signer must have seen both. So
a template that prints the lampiran table (an indikator's uraian in a table row) must print the
indikator's arah in that row (``{{ r.arah }}``) and the legend of the arah under the table
(``{{ arah_keterangan }}``). Both variants of the table are tried: with and without triwulan
targets.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import docx
import jinja2
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docxtpl import DocxTemplate

from signer import formatting
from signer.errors import InputError
from signer.generate.render import context, jinja_env, render
from signer.model import Agreement, Arah


def provided_variables(sample: Agreement) -> frozenset[str]:
    """Every name a template may use: the context kinerja gives an agreement like ``sample``."""
    return frozenset(context(sample, "0" * 64))


def template_variables(template: bytes) -> frozenset[str]:
    """The top-level variables a template uses."""
    tpl = DocxTemplate(io.BytesIO(template))
    try:
        return frozenset(tpl.get_undeclared_template_variables(jinja_env=jinja_env()))
    except jinja2.TemplateSyntaxError as e:
        raise InputError(
            f"template syntax error: {e.message} (line {e.lineno} of the XML)"
        ) from None


@dataclass(frozen=True)
class TemplateReport:
    used: frozenset[str]
    unknown: frozenset[str]  # used by the template, not provided by kinerja
    render_error: str | None  # a render of the example failed, e.g. an unknown attribute


def check_template(template: bytes, agreements: Sequence[Agreement]) -> TemplateReport:
    """What a template uses, what kinerja does not provide, and whether it renders
    ``agreements`` (the caller's samples: the example's, or a ceremony's own), each with and
    without triwulan targets.

    Raises :class:`InputError` when a rendered lampiran leaves out what evaluation reads (see
    :func:`lampiran_gaps`).
    """
    if not agreements:
        raise InputError("template check needs at least one agreement to render")
    used = template_variables(template)
    unknown = used - provided_variables(agreements[0])
    error = None
    gaps: dict[str, list[str]] = {}  # per table variant, what its lampiran leaves out
    if not unknown:
        for variant in (v for a in agreements for v in table_variants(a)):
            try:
                rendered = render(variant, template)
            except InputError as e:
                error = str(e)
                break
            table = f"table {'with' if variant.has_triwulan else 'without'} triwulan targets"
            for gap in lampiran_gaps(rendered.docx, variant):
                if gap not in gaps.setdefault(table, []):
                    gaps[table].append(gap)
    if error is None and any(gaps.values()):
        lines = [f"  {table}: {'; '.join(found)}" for table, found in gaps.items() if found]
        raise InputError.of_lines(
            [
                "the lampiran does not print the arah that evaluation reads:",
                *lines,
                "add a column 'Arah' with {{ r.arah }} in each indikator's row and a "
                "paragraph with {{ arah_keterangan }} under the table",
            ]
        )
    return TemplateReport(used, unknown, error)


def table_variants(a: Agreement) -> tuple[Agreement, ...]:
    """The trial renders of ``a``: for an agreement with targets, ``a`` with each variant of
    the lampiran table (its own, and with triwulan targets dropped if it has them, else each
    yearly target repeated as its triwulan targets), and with every satuan told apart from the
    arah labels (an indikator whose satuan is "Predikat" would otherwise show the label
    without the arah)."""
    if not a.indikator:
        return (a,)
    labels = {formatting.arah(x).casefold() for x in Arah}

    def satuan(s: str) -> str:
        return f"{s} (satuan)" if s.casefold() in labels else s

    def variant(triwulan: bool) -> Agreement:
        return replace(
            a,
            sasaran=tuple(
                replace(
                    s,
                    indikator=tuple(
                        replace(
                            i,
                            satuan=satuan(i.satuan),
                            target_triwulan=(i.target_triwulan or (i.target,) * 4)
                            if triwulan
                            else None,
                        )
                        for i in s.indikator
                    ),
                )
                for s in a.sasaran
            ),
        )

    return (variant(a.has_triwulan), variant(not a.has_triwulan))


def _words(text: str) -> str:
    return " ".join(text.split())


def _text(element: BaseOxmlElement) -> str:
    return _words("".join(t.text or "" for t in element.iter(qn("w:t"))))


def lampiran_gaps(rendered: bytes, a: Agreement) -> list[str]:
    """What the rendered Word document of ``a`` leaves out of the arah: 'no arah for KODE, ...'
    and 'no legend'; empty when nothing is missing.

    An indikator is printed when a table row has a cell with exactly its uraian (or, in a
    template without a table, a paragraph holds it); that row must have a cell with its arah as
    :func:`signer.formatting.arah` writes it (case aside), or that paragraph the word. When any
    indikator is printed, the legend :func:`signer.formatting.arah_keterangan` must be too.
    A satuan spelled like an arah label passes for it: :func:`table_variants` renames those.
    """
    body = docx.Document(io.BytesIO(rendered)).element.body
    rows = [[_text(tc) for tc in tr.iterchildren(qn("w:tc"))] for tr in body.iter(qn("w:tr"))]
    paragraphs = [_text(p) for p in body.iter(qn("w:p"))]
    printed, without = False, []
    for i in a.indikator:
        uraian, label = _words(i.uraian), formatting.arah(i.arah)
        in_rows = [r for r in rows if uraian in r]
        if in_rows:
            shown = True
            ok = any(label.casefold() in (c.casefold() for c in r) for r in in_rows)
        else:
            word = re.compile(rf"\b{re.escape(label)}\b", re.IGNORECASE)
            in_paragraphs = [p.replace(uraian, "") for p in paragraphs if uraian in p]
            shown = bool(in_paragraphs)
            ok = not shown or any(word.search(p) for p in in_paragraphs)
        printed = printed or shown
        if not ok:
            without.append(i.kode)
    gaps = [f"no arah for {', '.join(without)}"] if without else []
    legend = formatting.arah_keterangan(i.arah for i in a.indikator)
    if printed and legend and not any(legend in p for p in paragraphs):
        gaps.append("no legend of the arah")
    return gaps
