"""What keeps a child from outliving kinerja or learning its secrets, in-process (the kill -9
runs are in tests/integration/test_lifetime.py)."""

from __future__ import annotations

import ctypes
import os
import signal
import sys

import pytest

from signer.batch import Batch, Limits, Outcome, Status
from signer.secret import PASSPHRASE_ENV, PIN_ENV, SECRET_ENVS, child_environment, secret_from_env

PR_GET_PDEATHSIG = 2


def _death_signal(_: int) -> Outcome[int]:
    """In a forked worker: the signal it gets when kinerja dies, and who its parent is."""
    got = ctypes.c_int(-1)
    ctypes.CDLL(None).prctl(PR_GET_PDEATHSIG, ctypes.byref(got), 0, 0, 0)
    return Outcome(str(os.getppid()), Status.DONE, value=got.value)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux's")
@pytest.mark.parametrize("jobs, limits", [(2, None), (1, Limits(seconds=60))])
def test_every_forked_worker_is_killed_when_kinerja_dies(jobs: int, limits: Limits | None) -> None:
    batch: Batch[int, int] = Batch(
        "uji", _death_signal, str, jobs=jobs, progress=False, processes=True, limits=limits
    )
    outcomes = batch.run(range(4))
    assert [o.value for o in outcomes] == [signal.SIGKILL] * 4
    assert {o.name for o in outcomes} == {str(os.getpid())}


def test_children_get_our_environment_without_a_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSPHRASE_ENV, "rahasia")
    monkeypatch.setenv(PIN_ENV, "246810")
    monkeypatch.setenv("LANG", "id_ID.UTF-8")
    env = child_environment({"HOME": "/tmp/kantor"})
    assert not set(SECRET_ENVS) & set(env)
    assert env["LANG"] == "id_ID.UTF-8" and env["HOME"] == "/tmp/kantor"
    assert os.environ[PASSPHRASE_ENV] == "rahasia"  # ours is left as it was


def test_a_secret_is_read_only_from_a_variable_children_never_get() -> None:
    with pytest.raises(ValueError, match="SECRET_ENVS"):
        secret_from_env("KINERJA_TOKEN_SECRET", "token secret", default="x")


def test_every_program_kinerja_starts_gets_an_environment_without_secrets() -> None:
    """Each subprocess call of the library names its environment (child_environment): none
    inherits ours, passphrase and all. The LibreOffice worker script passes on what it got."""
    import ast
    from pathlib import Path

    import signer

    starters = {"run", "Popen", "call", "check_call", "check_output"}
    unnamed = []
    for path in Path(signer.__file__).parent.rglob("*.py"):
        if path.name == "worker.py" and path.parent.name == "office":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "subprocess"
                and node.func.attr in starters
            ):
                env = next((k.value for k in node.keywords if k.arg == "env"), None)
                named = isinstance(env, ast.Name) or (
                    isinstance(env, ast.Call)
                    and isinstance(env.func, ast.Name)
                    and env.func.id == "child_environment"
                )
                if not named:
                    unnamed.append(f"{path.name}:{node.lineno}")
    assert not unnamed, f"subprocess without env=child_environment(...): {unnamed}"
