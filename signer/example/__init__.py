"""The example ceremony of the fictional Pemerintah Kota Contoh: its data (:mod:`.data`) and the
workspace `kinerja init` writes from it (:mod:`.workspace`). Every person in it is invented.
"""
