"""Generated and signed agreements draw exactly the characters their text claims."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest

from signer.verify.glyphs import glyph_problems


@pytest.mark.slow
@pytest.mark.office
def test_signed_agreements_draw_what_their_text_says(signed_example: Path) -> None:
    files = sorted(signed_example.rglob("*.pdf"))
    assert files
    for path in files:
        with pikepdf.open(path) as pdf:
            assert glyph_problems(pdf) == [], path.name
