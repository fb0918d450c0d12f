"""Remote signing services kinerja talks to: BSrE's eSign API (:mod:`.bsre`) over HTTP
(:mod:`.http`). Shared by the sign stage (signing) and the verify stage (a second opinion)."""
