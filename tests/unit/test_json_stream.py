"""`kinerja verify --json` writes each report as it comes (flat memory over an archive) and the
whole is the same ``kinerja.verify/1`` document that :func:`envelope` describes."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator

import pikepdf
import pytest

from signer.errors import InputError
from signer.terminal import write_json_stream
from signer.trust import TrustConfig
from signer.verify import VerifyOptions, envelope
from signer.verify.report import Report
from signer.verify.run import verify_bytes


def _blank_pdf() -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def test_each_report_is_written_before_the_next_is_asked_for(
    capsys: pytest.CaptureFixture[str],
) -> None:
    options = VerifyOptions(TrustConfig(()))
    report = verify_bytes(_blank_pdf(), "kosong.pdf", options)  # a real verdict: not signed
    unusable = InputError("rusak.pdf: not a PDF file")
    at = dt.datetime(2027, 1, 5, tzinfo=dt.UTC)
    written: list[str] = []

    def results() -> Iterator[Report | InputError]:
        yield report
        written.append(capsys.readouterr().out)  # what stdout holds before the next result
        yield unusable
        yield report

    counts, errors = write_json_stream(results(), at)
    rest = capsys.readouterr().out
    assert '"file": "kosong.pdf"' in written[0]  # the first document was out already
    document = json.loads(written[0] + rest)
    assert document == json.loads(json.dumps(envelope([report, report], [unusable], at)))
    assert counts == {report.verdict.value: 2} and errors == [unusable]


def test_bsre_opinion_is_asked_for_each_report_as_it_is_written(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from signer.verify.second_opinion import SecondOpinion

    report = verify_bytes(_blank_pdf(), "kosong.pdf", VerifyOptions(TrustConfig(())))
    asked: list[str] = []

    def opinion(r: Report) -> SecondOpinion:
        asked.append(capsys.readouterr().out)  # what was written before BSrE was asked
        return SecondOpinion("NO_SIGNATURE", f"{r.file}, {len(asked)}")

    counts, _ = write_json_stream(iter([report, report]), None, opinion)
    document = json.loads("".join(asked) + capsys.readouterr().out)
    assert [d["bsre"]["description"] for d in document["documents"]] == [
        "kosong.pdf, 1",
        "kosong.pdf, 2",
    ]
    assert '"file": "kosong.pdf"' in asked[1]  # the first was out before the second was asked
    assert counts == {report.verdict.value: 2}
