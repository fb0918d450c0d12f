"""Which role each signature of an agreement stands for, by order and by field.

Local signing fills the prepared field of the role (``pihak-pertama``, ``pihak-kedua``). BSrE's
eSign API cannot name a field: it adds its own (``esc_…``, ``Signature1``…). So the i-th
signature, by revision, stands for the i-th role of the agreement's kind; a signature in a
prepared field must be in its own role's; one in any other field stands "in place of" the
prepared one, which must then stay empty. Whether the signer is that role's party is the
certificate check's business (sign's rules, verify's signer-identity).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pyhanko.sign.diff_analysis import (
    DEFAULT_DIFF_POLICY,
    FormUpdatingRule,
    GenericFieldModificationRule,
    SigFieldCreationRule,
    SigFieldModificationRule,
    StandardDiffPolicy,
)
from pyhanko.sign.diff_analysis.constants import ACROFORM_EXEMPT_STRICT_COMPARISON

from signer.model import Peran


@dataclass(frozen=True)
class BoundSignature:
    role: Peran
    field: str
    remote: bool
    """In a field of its own (BSrE's), in place of the prepared one."""


class RolesBroken(ValueError):
    """The signatures cannot stand for the roles in order; the message says why."""


def bind_roles(
    fields_in_order: Sequence[str],
    roles: Sequence[Peran],
    filled: frozenset[str] = frozenset(),
) -> list[BoundSignature]:
    """The role of each signature, given their field names in revision order (document
    timestamps left out), the roles of the agreement's kind in order, and the names of the
    prepared fields that hold a signature."""
    prepared = {r.value: r for r in roles}
    if len(fields_in_order) > len(roles):
        raise RolesBroken(
            f"{len(fields_in_order)} signatures, but the agreement has {len(roles)} "
            f"role{'s' if len(roles) != 1 else ''} ({', '.join(r.value for r in roles)})"
        )
    bound: list[BoundSignature] = []
    for name, role in zip(fields_in_order, roles, strict=False):
        if name in prepared:
            if prepared[name] is not role:
                turn = "first" if role is roles[0] else "next"
                raise RolesBroken(
                    f"signature {len(bound) + 1} is in the {name} field, but {role.value} "
                    f"signs {turn}"
                )
            bound.append(BoundSignature(role, name, remote=False))
            continue
        if role.value in filled:
            raise RolesBroken(
                f"signature {len(bound) + 1} ({name}) stands for {role.value}, whose own "
                "field is signed too"
            )
        bound.append(BoundSignature(role, name, remote=True))
    return bound


def stand_in_policy(*, first_signature: bool = False) -> StandardDiffPolicy:
    """pyHanko's default difference policy, but a new visible signature field may follow a
    certification: a remote signature stands in for the prepared field (where it may be placed
    is the verifier's business). For the update that adds the ``first_signature`` the form's
    /SigFlags may change too (1, "signatures exist", becomes 3, "append only", as every
    signer writes it); nothing else of the form may."""
    exempt = ACROFORM_EXEMPT_STRICT_COMPARISON | ({"/SigFlags"} if first_signature else set())
    return StandardDiffPolicy(
        global_rules=DEFAULT_DIFF_POLICY.global_rules,
        form_rule=FormUpdatingRule(
            field_rules=[
                SigFieldCreationRule(allow_new_visible_after_certify=True),
                SigFieldModificationRule(),
                GenericFieldModificationRule(),
            ],
            ignored_acroform_keys=exempt,
        ),
    )
