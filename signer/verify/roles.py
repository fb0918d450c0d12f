"""Which role each signature is: by ORDER, proved by its HOLDER.

The i-th signature (by revision) is the i-th role of the document's kind (pihak pertama, then
pihak kedua); the certificate's holder then has to be that role's party (``signer-identity``).
The field a signature sits in does not name its role: a remote service (BSrE's eSign API)
cannot fill the prepared field and adds its own (``esc_<epoch ms>``) in its place. Whether a
signature's field is the right one, and a remote one placed where it may be, is judged by
``expected-signatures`` (:mod:`signer.verify.checks.roles`).

One more thing follows from the remote profile. A local pihak pertama certifies (DocMDP P=2)
and its field's lock leaves only the prepared ``pihak-kedua`` field open; pyHanko's difference
analysis then refuses a NEW field, however it is signed: the lock locks every name but
``pihak-kedua``, and its default policy allows no new visible signature field after a
certification. The lock means "pihak kedua's signature may follow", so where pihak kedua's
signature is a remote one in place of the prepared field, the analysis is run again with the
lock leaving that one new field open as well and new visible signature fields allowed; any
other change stays refused, and the new field's placement is held to the prepared one's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyhanko.sign.diff_analysis import (
    DiffResult,
    ModificationLevel,
    SuspiciousModification,
)
from pyhanko.sign.fields import FieldMDPAction, FieldMDPSpec
from pyhanko.sign.validation.status import SignatureCoverageLevel

from signer.model import Peran
from signer.signed_roles import stand_in_policy

if TYPE_CHECKING:
    from signer.verify.evidence import Evidence, SignatureEvidence

ROLE_FIELDS = frozenset(r.value for r in Peran)
"""The names of the prepared fields: a signature in any other field is a remote one."""

_STAND_IN_POLICY = stand_in_policy()


def kind_roles(ev: Evidence) -> tuple[Peran, ...]:
    """The roles of the document's kind, in signing order (both when its data is unreadable)."""
    return ev.agreement.peran if ev.agreement is not None else tuple(Peran)


def bind_roles(ev: Evidence) -> None:
    """Give each signature its role by order; none past the kind's roles."""
    roles = kind_roles(ev)
    for i, s in enumerate(ev.signatures):
        s.role = roles[i].value if i < len(roles) else None
    for s, after in zip(ev.signatures, ev.signatures[1:], strict=False):
        if after.remote and after.role is not None:
            _review_for_stand_in(s, after)


def _review_for_stand_in(s: SignatureEvidence, after: SignatureEvidence) -> None:
    """Run the difference analysis after ``s`` again, ``after``'s remote field standing in for
    the prepared field of its role (only where the default analysis refused)."""
    if not isinstance(s.integrity.diff, SuspiciousModification):
        return
    if s.integrity.coverage is not SignatureCoverageLevel.ENTIRE_REVISION:
        return
    es = s.es
    lock = es.fieldmdp
    if lock is not None:
        if lock.action is not FieldMDPAction.EXCLUDE or after.role not in (lock.fields or ()):
            return  # the lock did not leave that role's field open: nor its stand-in
        lock = FieldMDPSpec(FieldMDPAction.EXCLUDE, [*(lock.fields or ()), after.field])
    docmdp = es.docmdp_level
    try:
        diff = _STAND_IN_POLICY.review_file(
            es.reader, es.signed_revision, field_mdp_spec=lock, doc_mdp=docmdp
        )
    except MemoryError:
        raise
    except Exception:
        return  # the default analysis's refusal stands
    level = diff.modification_level if isinstance(diff, DiffResult) else ModificationLevel.OTHER
    docmdp_ok = not (
        level is ModificationLevel.OTHER or (docmdp is not None and level.value > docmdp.value)
    )
    s.integrity = type(s.integrity)(s.integrity.coverage, diff, docmdp_ok)
