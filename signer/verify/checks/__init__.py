"""The checks of the verify policy, by what they look at: the document (:mod:`.document`), the
signatures (:mod:`.signatures`), the certificates (:mod:`.certificates`), what changed after
signing (:mod:`.changes`), and the agreement and the pages (:mod:`.content`).
"""
