"""The evaluate stage: realisasi against the targets of agreements that verify.

Each agreement is verified first and only a VALID one is evaluated, from its embedded, signed
data (:mod:`.stage`); the arithmetic and the Permendagri 86/2017 categories are in
:mod:`.capaian`, the results and their JSON in :mod:`.results`, the output files by format in
:mod:`.outputs`. The package imports nothing itself: the command line reads the output
formats and periods at start-up, and must not wait for the verifier to load.
"""
