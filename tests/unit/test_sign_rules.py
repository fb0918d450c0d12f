"""Warnings at signing time that do not stop a signature."""

from __future__ import annotations

import datetime as dt

from signer.canonical import digest, to_json
from signer.embedded import EmbeddedAgreement
from signer.example.workspace import ceremony
from signer.sign.rules import signing_warnings


def _embedded() -> EmbeddedAgreement:
    a = ceremony().agreements[0]
    data = to_json(a)
    return EmbeddedAgreement(a, data, "perjanjian.json", digest(data))


def test_a_signature_before_the_agreements_date_is_a_warning() -> None:
    embedded = _embedded()
    a = embedded.agreement
    assert a.tanggal == dt.date(2026, 1, 15) and a.zona_waktu.value == "WIB"
    # 14 January 23.30 WIB is 16.30 UTC: the day before, where the agreement is signed
    before = dt.datetime(2026, 1, 14, 16, 30, tzinfo=dt.UTC)
    (warning,) = signing_warnings(embedded, before)
    assert "signed on 14 Januari 2026, before the agreement's date 15 Januari 2026" in warning
    assert a.id in warning
    # 17.30 UTC is already 15 January 00.30 WIB: the agreement's own day
    assert signing_warnings(embedded, dt.datetime(2026, 1, 14, 17, 30, tzinfo=dt.UTC)) == []
    assert signing_warnings(embedded, dt.datetime(2026, 3, 1, tzinfo=dt.UTC)) == []
