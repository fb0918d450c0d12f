"""The expected signatures: one per role of the document's kind, in order, each in its own
prepared field or, signed remotely (BSrE's eSign API names its own field), in a field of its
own in place of it: over the prepared field, never elsewhere on the pages.

Roles bind by order (:mod:`signer.verify.roles`) and the holder proves them
(``signer-identity``). Pihak pertama's signature in the prepared field certifies (DocMDP P=2); a
remote one cannot, and then the difference analysis after each signature (``modifications``:
form filling of exactly the next signature's field, then only DSS updates and document
timestamps), ``changes-after-signing`` and ``document-profile`` are what lock the document.
"""

from __future__ import annotations

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader

from signer.verify.check import document_check
from signer.verify.checks.document import pages_of
from signer.verify.evidence import Evidence, SignatureEvidence, VerifyOptions
from signer.verify.result import CheckResult, fail, ok
from signer.verify.roles import kind_roles

TOLERANCE = 1.0
"""How far (PDF points) a remote widget may reach past the prepared field's rectangle: the
client sends the rectangle, a service may round it."""


@document_check(
    "expected-signatures",
    "one signature per role in order (pihak pertama, then pihak kedua), each in its prepared "
    "field or in a remote service's own field placed over it (or invisible) while the prepared "
    "one stays empty; pihak pertama in its field certified (form filling only); no other "
    "certification; nothing else but document timestamps",
)
def expected_signatures(ev: Evidence, options: VerifyOptions) -> list[CheckResult]:
    reader = ev.reader
    if reader is None:
        return [fail("the file could not be read")]
    kind = kind_roles(ev)
    expected = [r.value for r in options.expect if r in kind]
    sigs = ev.signatures
    if len(sigs) != len(expected):
        found = ", ".join(s.field for s in sigs) or "none"
        wanted = ", ".join(expected) or "none"
        return [fail(f"expected signatures {wanted} in that order, found {found}")]
    if not sigs:
        return [ok("not signed yet, as expected")]
    forms = _fields(reader)
    said = []
    for s in sigs:
        problem = _field_problem(reader, forms, s)
        if problem:
            return [fail(problem)]
        said.append(
            f"{s.role} in field {s.field}"
            + (f" in place of the prepared {s.role}" if s.remote else "")
        )
    first = sigs[0]
    level = first.es.docmdp_level
    if not first.remote and (level is None or level.value != 2):
        return [
            fail(
                "pihak pertama's signature is not a certification allowing form "
                "filling (DocMDP P=2)",
            )
        ]
    if first.remote and level is not None and level.value != 2:
        return [fail(f"pihak pertama's remote signature certifies with DocMDP P={level.value}")]
    for s in sigs[1:]:
        if s.es.docmdp_level is not None and "/Reference" in s.es.sig_object:
            return [fail(f"{s.role}'s signature ({s.field}) claims to certify the document")]
    timestamps = {str(es.field_name) for es, _ in ev.timestamps}
    extra = set(forms) - {r.value for r in kind} - timestamps - {s.field for s in sigs}
    if extra:
        return [fail(f"unexpected signature fields: {', '.join(sorted(extra))}")]
    if any(es.signed_revision < first.revision for es, _ in ev.timestamps):
        return [fail("a document timestamp precedes the signatures")]
    certified = "pihak pertama certified" if level is not None else "no certification"
    return [ok(f"{'; '.join(said)}; {certified}; {len(ev.timestamps)} document timestamp(s) after")]


def _field_problem(
    reader: PdfFileReader, forms: dict[str, Widget], s: SignatureEvidence
) -> str | None:
    """Why ``s`` is not where its role's signature may be, or None."""
    if s.role is None:
        return f"signature {s.field} has no role"  # past the count, reported before
    if not s.remote:
        if s.field != s.role:
            return f"{s.role}'s signature is in the {s.field} field"
        return None
    prepared = forms.get(s.role)
    if prepared is None:
        return f"{s.role} signed in {s.field}, and the document has no prepared {s.role} field"
    if "/V" in prepared[1]:
        return f"{s.role} signed in {s.field}, and the prepared {s.role} field is signed too"
    return _placement_problem(reader, forms[s.field], prepared, s)


def _placement_problem(
    reader: PdfFileReader,
    remote: Widget,
    prepared: Widget,
    s: SignatureEvidence,
) -> str | None:
    """A remote field's widget is invisible (a zero rectangle) or lies on the prepared field's
    page inside its rectangle: its appearance can never cover the agreement's text."""
    widgets, prepared_widgets = _widgets(*remote), _widgets(*prepared)
    where = f"{s.role}'s remote signature {s.field}"
    if len(widgets) != 1 or len(prepared_widgets) != 1:
        return f"{where}: {len(widgets)} widget(s), one expected, over one prepared field"
    [widget], [prepared_widget] = widgets, prepared_widgets
    x1, y1, x2, y2 = _rect(widget[1])
    if x1 == x2 or y1 == y2:
        return None  # invisible: nothing drawn
    pages = _pages_showing(reader, widget[0])
    prepared_pages = _pages_showing(reader, prepared_widget[0])
    if len(prepared_pages) != 1 or pages != prepared_pages:
        shown = ", ".join(str(p + 1) for p in pages) or "no page"
        there = ", ".join(str(p + 1) for p in prepared_pages) or "no page"
        return f"{where} is shown on {shown}, the prepared field on {there}"
    px1, py1, px2, py2 = _rect(prepared_widget[1])
    inside = (
        x1 >= px1 - TOLERANCE
        and y1 >= py1 - TOLERANCE
        and x2 <= px2 + TOLERANCE
        and y2 <= py2 + TOLERANCE
    )
    if not inside:
        return (
            f"{where} covers [{x1:g} {y1:g} {x2:g} {y2:g}] on page {pages[0] + 1}, beyond the "
            f"prepared field's [{px1:g} {py1:g} {px2:g} {py2:g}]"
        )
    return None


Widget = tuple[generic.Reference | None, generic.DictionaryObject]


def _fields(reader: PdfFileReader) -> dict[str, Widget]:
    """The signature fields of the file as it is, by name (a name given twice: the first)."""
    from pyhanko.sign.fields import enumerate_sig_fields

    out: dict[str, Widget] = {}
    for name, _value, ref in enumerate_sig_fields(reader):
        field = ref.get_object()
        where = ref.reference if isinstance(ref, generic.IndirectObject) else None
        if isinstance(field, generic.DictionaryObject):
            out.setdefault(str(name), (where, field))
    return out


def _widgets(ref: generic.Reference | None, field: generic.DictionaryObject) -> list[Widget]:
    """The field's widget annotations: its kids, or the field itself (merged with its one)."""
    if "/Kids" not in field:
        return [(ref, field)]
    out: list[Widget] = []
    kids = field.raw_get("/Kids")
    kids = kids.get_object() if isinstance(kids, generic.IndirectObject) else kids
    for i in range(len(kids) if isinstance(kids, generic.ArrayObject) else 0):
        ref = kids.raw_get(i)
        kid = ref.get_object()
        if isinstance(kid, generic.DictionaryObject):
            out.append((ref.reference if isinstance(ref, generic.IndirectObject) else None, kid))
    return out


def _pages_showing(reader: PdfFileReader, widget: generic.Reference | None) -> list[int]:
    """The 0-based pages whose annotations hold ``widget`` (a direct one: none)."""
    return [
        n
        for n, page in enumerate(pages_of(reader.root))
        if widget is not None and widget in _annotation_refs(page)
    ]


def _annotation_refs(page: generic.DictionaryObject) -> set[generic.Reference]:
    annots = page.get("/Annots")
    if not isinstance(annots, generic.ArrayObject):
        return set()
    return {
        annots.raw_get(i).reference
        for i in range(len(annots))
        if isinstance(annots.raw_get(i), generic.IndirectObject)
    }


def _rect(d: generic.DictionaryObject) -> tuple[float, float, float, float]:
    a, b, c, e = (float(v) for v in d["/Rect"])
    return min(a, c), min(b, e), max(a, c), max(b, e)
