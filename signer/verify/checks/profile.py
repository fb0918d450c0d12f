"""The document profile: an allow-list of what kinerja's own generate, sign, DSS and timestamp
steps write, key by key, in the signed revision and in the file as it ends. Anything else (an
action, a script, XFA, optional content that prints otherwise than it shows, a form field or an
annotation that is not a signature widget) is named and INVALID."""

from __future__ import annotations

from collections.abc import Iterable

from pyhanko.pdf_utils import generic

from signer.verify.check import document_check
from signer.verify.checks.document import pages_of
from signer.verify.evidence import Evidence, VerifyOptions
from signer.verify.result import CheckResult, fail, ok

# what LibreOffice's PDF/A-3 export, kinerja's prepare and pyHanko's signing and DSS write
CATALOG = {
    "/Type", "/Pages", "/AF", "/AcroForm", "/Dests", "/Lang", "/MarkInfo", "/Metadata", "/Names",
    "/OpenAction", "/OutputIntents", "/StructTreeRoot", "/ViewerPreferences", "/DSS",
    "/Extensions", "/Perms", "/Version", "/PageLayout", "/PageMode",
}  # fmt: skip
NAMES = {"/EmbeddedFiles", "/Dests"}
ACROFORM = {"/Fields", "/SigFlags", "/DA", "/DR"}
FIELD = {
    "/Type", "/Subtype", "/FT", "/T", "/TU", "/V", "/F", "/P", "/Rect", "/AP", "/Lock", "/SV",
    "/MK", "/DA", "/StructParent",
}  # fmt: skip
PAGE = {
    "/Type", "/Parent", "/Resources", "/Contents", "/MediaBox", "/CropBox", "/BleedBox",
    "/TrimBox", "/ArtBox", "/Rotate", "/Group", "/Tabs", "/Annots", "/StructParents",
}  # fmt: skip


def _extra(d: generic.DictionaryObject, allowed: set[str]) -> list[str]:
    return sorted(str(k) for k in d if str(k) not in allowed)


def _dict(value: object) -> generic.DictionaryObject | None:
    obj = value.get_object() if isinstance(value, generic.IndirectObject) else value
    return obj if isinstance(obj, generic.DictionaryObject) else None


def problems_of(root: generic.DictionaryObject, where: str) -> Iterable[str]:
    """Every departure from the profile in one revision's catalog and pages."""
    if extra := _extra(root, CATALOG):
        yield f"{where}: the catalog has {', '.join(extra)}"
    opening = root.get("/OpenAction")
    if opening is not None and not isinstance(opening.get_object(), generic.ArrayObject):
        # LibreOffice writes a plain destination (which page to show); anything else acts
        yield f"{where}: the catalog opens with an action, not a destination"
    names = _dict(root.get("/Names"))
    if names is not None and (extra := _extra(names, NAMES)):
        yield f"{where}: the name tree has {', '.join(extra)}"
    form = _dict(root.get("/AcroForm"))
    fields = {
        (ref.idnum, ref.generation)
        for ref in (form.get("/Fields", generic.ArrayObject()) if form is not None else ())
        if isinstance(ref, generic.IndirectObject)
    }
    if form is not None:
        if extra := _extra(form, ACROFORM):
            yield f"{where}: the form has {', '.join(extra)}"
        for ref in form.get("/Fields", generic.ArrayObject()):
            field = _dict(ref)
            if field is None or field.get("/FT") != "/Sig":
                yield f"{where}: a form field that is not a signature"
            elif extra := _extra(field, FIELD):
                yield f"{where}: signature field {field.get('/T')} has {', '.join(extra)}"
    for n, page in enumerate(pages_of(root), 1):
        if extra := _extra(page, PAGE):
            yield f"{where}: page {n} has {', '.join(extra)}"
        for ref in page.get("/Annots", generic.ArrayObject()):
            annot = _dict(ref)
            if annot is None or annot.get("/Subtype") != "/Widget" or annot.get("/FT") != "/Sig":
                kind = annot.get("/Subtype") if annot is not None else "broken"
                yield f"{where}: page {n} has a {kind} annotation; only signature widgets belong"
            elif extra := _extra(annot, FIELD):
                yield f"{where}: page {n}'s signature widget has {', '.join(extra)}"
            elif not isinstance(ref, generic.IndirectObject) or (
                (ref.idnum, ref.generation) not in fields
            ):
                # some viewers draw it, others (PDFium, Chrome) skip a widget outside the form
                yield f"{where}: page {n} has a signature widget that is not a form field"
        yield from _optional_content(page, f"{where}: page {n}")


def _optional_content(page: generic.DictionaryObject, where: str) -> Iterable[str]:
    """XObjects that show or print only under an optional-content condition."""
    resources = _dict(page.get("/Resources"))
    xobjects = _dict(resources.get("/XObject")) if resources is not None else None
    for name, ref in (xobjects or {}).items():
        xobject = ref.get_object() if isinstance(ref, generic.IndirectObject) else ref
        if isinstance(xobject, generic.StreamObject) and "/OC" in xobject:
            yield f"{where}: {name} is optional content (it can print otherwise than it shows)"


@document_check(
    "document-profile",
    "nothing but what kinerja's generate, sign, DSS and timestamp steps write, key by key, in "
    "the signed revision and after it: no actions, scripts, XFA, optional content, or forms and "
    "annotations besides the signature widgets",
)
def document_profile(ev: Evidence, options: VerifyOptions) -> list[CheckResult]:
    reader = ev.reader
    if reader is None:
        return [fail("unreadable")]
    found = list(problems_of(reader.root, "the file"))
    if ev.signatures:
        signed = ev.signatures[-1].revision
        found += problems_of(reader.get_historical_root(signed), "the signed revision")
        pages, signed_pages = pages_of(reader.root), pages_of(reader.get_historical_root(signed))
        if len(pages) != len(signed_pages):
            found.append(f"{len(signed_pages)} pages were signed, the file now has {len(pages)}")
    unique = list(dict.fromkeys(found))
    if unique:
        more = f" (and {len(unique) - 3} more)" if len(unique) > 3 else ""
        return [fail("; ".join(unique[:3]) + more)]
    return [ok(f"{len(pages_of(reader.root))} pages, only what kinerja writes")]
