"""`kinerja template check` refuses a template whose lampiran leaves out the arah: evaluation
reads each indikator's arah, so the signer must have seen it."""

from __future__ import annotations

import io
import zipfile

import pytest

from signer.errors import InputError
from signer.example.workspace import sample_agreement
from signer.generate.render import builtin_template
from signer.generate.template_check import check_template, table_variants
from signer.kinds import JenisDokumen

PK = JenisDokumen.PERJANJIAN_KINERJA


def edited(template: bytes, old: str, new: str, count: int = -1) -> bytes:
    """``template`` with ``old`` replaced in its document body (``count`` times, -1: all)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(template)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/document.xml":
                assert old.encode() in data
                data = data.replace(old.encode(), new.encode(), count)
            dst.writestr(info, data)
    return out.getvalue()


@pytest.mark.parametrize("kind", list(JenisDokumen))
def test_builtin_templates_pass(kind: JenisDokumen) -> None:
    report = check_template(builtin_template(kind).read_bytes(), [sample_agreement(kind)])
    assert report.unknown == frozenset() and report.render_error is None


def test_trial_renders_cover_both_tables_and_tell_satuan_from_arah() -> None:
    sample = sample_agreement(PK)  # pk-2026-setda: no triwulan, satuan "Predikat" twice
    assert not sample.has_triwulan
    assert any(i.satuan == "Predikat" for i in sample.indikator)
    variants = table_variants(sample)
    assert [v.has_triwulan for v in variants] == [False, True]
    assert all(i.satuan != "Predikat" for v in variants for i in v.indikator)


def test_a_lampiran_without_the_arah_is_refused() -> None:
    template = edited(builtin_template(PK).read_bytes(), "{{ r.arah }}", "")
    with pytest.raises(InputError) as e:
        check_template(template, [sample_agreement(PK)])
    assert str(e.value).splitlines() == [
        "the lampiran does not print the arah that evaluation reads:",
        "  table without triwulan targets: no arah for SETDA.01, SETDA.02, SETDA.03",
        "  table with triwulan targets: no arah for SETDA.01, SETDA.02, SETDA.03",
        "add a column 'Arah' with {{ r.arah }} in each indikator's row and a paragraph with "
        "{{ arah_keterangan }} under the table",
    ]


def test_the_arah_missing_from_one_table_variant_is_refused() -> None:
    # the triwulan table comes first in the template: only it loses its Arah cell
    template = edited(builtin_template(PK).read_bytes(), "{{ r.arah }}", "", count=1)
    with pytest.raises(InputError) as e:
        check_template(template, [sample_agreement(PK)])
    assert "  table with triwulan targets: no arah for SETDA.01" in str(e.value)
    assert "without triwulan" not in str(e.value)


def test_a_lampiran_without_the_legend_is_refused() -> None:
    template = edited(builtin_template(PK).read_bytes(), "{{ arah_keterangan }}", "")
    with pytest.raises(InputError) as e:
        check_template(template, [sample_agreement(PK)])
    lines = str(e.value).splitlines()
    assert "  table without triwulan targets: no legend of the arah" in lines
    assert "  table with triwulan targets: no legend of the arah" in lines
    assert "no arah for" not in str(e.value)


def test_a_template_without_a_lampiran_needs_no_arah() -> None:
    from docx import Document

    doc = Document()
    doc.add_paragraph("{{ judul }} {{ pihak_pertama.nama }} {{ tahun }}")
    buf = io.BytesIO()
    doc.save(buf)
    report = check_template(buf.getvalue(), [sample_agreement(PK)])
    assert report.unknown == frozenset() and report.render_error is None


def test_generate_refuses_a_user_template_without_the_arah(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`kinerja generate --template` checks the template before it converts anything: pages
    without the arah would never verify."""
    from signer.generate.stage import GenerateOptions, generate
    from signer.model import Ceremony

    template = tmp_path / "tanpa-arah.docx"
    template.write_bytes(edited(builtin_template(PK).read_bytes(), "{{ r.arah }}", ""))
    sample = sample_agreement(PK)
    ceremony = Ceremony(sample.instansi, sample.tahun, (sample,))
    out = tmp_path / "out"
    options = GenerateOptions(out=out, templates={PK: template}, progress=False)
    with pytest.raises(InputError, match="does not print the arah"):
        generate(ceremony, tmp_path / "kinerja.xlsx", options)
    assert not out.exists() or not any(out.iterdir())


def test_rendering_again_reuses_the_compiled_template_and_renders_the_same() -> None:
    """The compiled template and the cleaned XML are remembered by their source (rendering
    twice as fast); a second agreement is rendered from them exactly as from scratch."""
    import importlib
    import io
    import zipfile

    from signer.example.workspace import ceremony

    rendering = importlib.import_module("signer.generate.render")  # not the function of that name

    first, second = ceremony().agreements[:2]
    template = rendering.builtin_template(first.jenis).read_bytes()

    def contents(docx: bytes) -> dict[str, bytes]:
        z = zipfile.ZipFile(io.BytesIO(docx))
        return {n: z.read(n) for n in z.namelist()}

    rendering.render(first, template)
    env = rendering.jinja_env()
    assert isinstance(env, rendering._Compiled) and env._compiled
    warm = contents(rendering.render(second, template).docx)
    env._compiled.clear()
    rendering._Template._patched.clear()
    assert contents(rendering.render(second, template).docx) == warm
