"""Verifying bytes, a file, or many files in forked workers."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from signer.errors import InputError
from signer.verify.evidence import Evidence, VerifyOptions, gather
from signer.verify.policy import DEFAULT_POLICY, Check
from signer.verify.report import Report, _summary
from signer.verify.result import CheckResult, fail, verdict_of


def verify_bytes(
    data: bytes, name: str, options: VerifyOptions, policy: Sequence[Check] = DEFAULT_POLICY
) -> Report:
    if not data.startswith(b"%PDF-"):
        raise InputError(f"{name}: not a PDF file")
    try:
        ev = gather(name, data, options)
    except Exception as e:  # whatever the bytes: a file we cannot take apart is not valid
        ev = Evidence(name, data, parse_error=f"{e.__class__.__name__}: {str(e)[:200]}")
    results: list[CheckResult] = []
    for check in policy:
        try:
            results += check(ev, options)
        except Exception as e:  # a check that cannot decide fails closed
            results.append(
                fail(
                    getattr(check, "__name__", "check").replace("check_", "").replace("_", "-"),
                    f"could not be evaluated ({e.__class__.__name__}: {e})",
                )
            )
    sigs = []
    for s in ev.signatures:
        try:
            sigs.append(_summary(s))
        except Exception:
            continue
    return Report(
        name,
        verdict_of(results),
        tuple(results),
        tuple(sigs),
        ev.agreement.id if ev.agreement else None,
        ev.embedded.sha256 if ev.embedded else None,
        ev.embedded.data if ev.embedded else None,
    )


def verify_file(path: Path, options: VerifyOptions) -> Report:
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror})") from None
    return verify_bytes(data, str(path), options)


def verify_paths(
    paths: Sequence[Path], options: VerifyOptions, jobs: int = 1, progress: bool = True
) -> list[Report | InputError]:
    """Verify many files in forked workers; unusable input comes back as its error."""
    from signer.batch import Batch, Outcome, Status

    reports: dict[str, Report | InputError] = {}

    def one(path: Path) -> Outcome:
        try:
            report: Report | InputError = verify_file(path, options)
        except InputError as e:
            report = e
        return Outcome(str(path), Status.DONE, extra={"report": report})

    outcomes = Batch("verify", one, str, jobs=jobs, progress=progress, processes=True).run(paths)
    for o in outcomes:
        if "report" in o.extra:
            reports[o.name] = o.extra["report"]  # type: ignore[assignment]
        else:
            reports[o.name] = InputError(o.detail)
    return [reports[str(p)] for p in paths]

