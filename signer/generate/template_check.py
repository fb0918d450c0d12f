"""`kinerja template check`: the variables a Word template uses, and a trial render."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import jinja2
from docxtpl import DocxTemplate

from signer.errors import InputError
from signer.generate.render import context, jinja_env, render
from signer.model import Agreement


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
    ``agreements`` (the caller's samples: the example's, or a ceremony's own)."""
    if not agreements:
        raise InputError("template check needs at least one agreement to render")
    used = template_variables(template)
    unknown = used - provided_variables(agreements[0])
    error = None
    if not unknown:
        for a in agreements:
            try:
                render(a, template)
            except InputError as e:
                error = str(e)
                break
    return TemplateReport(used, unknown, error)
