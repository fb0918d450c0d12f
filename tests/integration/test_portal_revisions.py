"""A PK Perubahan and the agreement it replaces link to each other on the portal, by the code in
the revision's signed data, whichever was archived first."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from signer import canonical
from signer.archive import default_url, open_registry
from signer.verify import VerifyOptions
from signer.web import create_app
from tests.archive_db import pk_and_revision

REPORT = {"verdict": "VALID", "agreement": None, "signatures": [], "checks": []}


def test_the_replaced_agreement_and_its_revision_link_to_each_other(tmp_path: Path) -> None:
    data, revised = pk_and_revision()
    code, revised_code = canonical.digest(data), canonical.digest(revised)
    revision_id = canonical.from_json(revised).id
    url = default_url(tmp_path)
    with open_registry(url) as writer:
        writer.store(b"%PDF-r1", "r1.pdf", REPORT, "VALID", revised)
        writer.store(b"%PDF-pk", "pk.pdf", REPORT, "VALID", data)
    with open_registry(url, read_only=True) as reader:
        client = TestClient(create_app(reader, VerifyOptions()))
        old = client.get(f"/api/v1/perjanjian/{code}").json()
        assert old["replaced_by"] == {
            "code": revised_code,
            "id": revision_id,
            "url": f"/v/{revised_code}",
        }
        assert old["replaces"] is None
        new = client.get(f"/api/v1/perjanjian/{revised_code}").json()
        assert new["replaces"]["code"] == code and new["replaced_by"] is None
        page = client.get(f"/v/{code}").text
        assert f'href="/v/{revised_code}"' in page and revision_id in page
        assert f'href="/v/{code}"' in client.get(f"/v/{revised_code}").text
