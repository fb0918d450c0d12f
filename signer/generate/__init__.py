"""The generate stage: each agreement of a ceremony into a ready-to-sign PDF/A-3b.

Render the Word template (:mod:`.render`), convert it with LibreOffice (:mod:`signer.office`),
prepare it: the canonical JSON embedded, metadata, one signature field per role
(:mod:`.prepare`), written atomically and resumably (:mod:`.stage`). :mod:`.template_check`
checks a user's own template.
"""

from signer.generate.stage import Generated, GenerateOptions, generate, select

__all__ = ["GenerateOptions", "Generated", "generate", "select"]
