"""Content checks: the embedded agreement is the one signed, and the signed pages show it
(its verification code, every party, indikator and target).
"""

from __future__ import annotations

from signer import formatting
from signer.embedded import read_embedded
from signer.model import Agreement
from signer.verify.evidence import Evidence, VerifyOptions, normalise
from signer.verify.result import CheckResult, fail, ok


def check_embedded_agreement(ev: Evidence, options: VerifyOptions) -> list[CheckResult]:
    name = "embedded-agreement"
    if ev.embedded is None:
        return [
            fail(name, f"no valid embedded agreement in the signed revision ({ev.embedded_error})")
        ]
    reader = ev.reader
    assert reader is not None
    try:
        current = read_embedded(reader.root)
    except Exception as e:
        return [fail(name, f"the agreement in the final revision is unreadable ({e})")]
    if current.data != ev.embedded.data:
        return [fail(name, "the embedded agreement was replaced after signing")]
    return [ok(name, f"{ev.embedded.name}, schema-valid, canonical, the one associated file")]


def check_verification_code(ev: Evidence, options: VerifyOptions) -> list[CheckResult]:
    name = "verification-code"
    if ev.embedded is None:
        return [fail(name, "no embedded agreement")]
    if ev.signed_text is None:
        return [fail(name, f"the signed pages' text is unreadable ({ev.text_error})")]
    code = formatting.digest_grouped(ev.embedded.sha256)
    if code not in ev.signed_text:
        return [fail(name, "the pages do not print the SHA-256 of the embedded agreement")]
    return [ok(name, f"the pages print {ev.embedded.sha256[:16]}…")]


def expected_on_pages(a: Agreement) -> list[str]:
    """What the pages must show: every party name, indikator and formatted target."""
    out = [a.pihak_pertama.nama, a.pihak_kedua.nama]
    for i in a.indikator:
        out += [i.uraian, formatting.target(i.target)]
        out += [formatting.target(t) for t in i.target_triwulan or ()]
    return [normalise(s) for s in out]


def check_visible_content(ev: Evidence, options: VerifyOptions) -> list[CheckResult]:
    name = "visible-content"
    if ev.agreement is None or ev.signed_text is None:
        return [fail(name, "no embedded agreement or no readable page text")]
    missing = [s for s in expected_on_pages(ev.agreement) if s not in ev.signed_text]
    if missing:
        shown = "; ".join(repr(m) for m in missing[:3])
        return [
            fail(
                name,
                f"{len(missing)} item(s) of the embedded data are not on the signed "
                f"pages, e.g. {shown}",
            )
        ]
    return [ok(name, "every party name, indikator and target of the data is on the pages")]

