"""A warm LibreOffice worker, run by the *system* Python (the one with LibreOffice's ``uno``).

Not imported by kinerja: :mod:`signer.convert` starts it as a script. It starts one headless
soffice on a private profile, connects unoserver's UnoConverter to it as soon as it answers
(unoserver's own server sleeps 7 s at start), then converts one document per request line:

    stdin:  {"docx": "/abs/in.docx", "pdf": "/abs/out.pdf", "filter": "...", "options": [...]}
    stdout: {"ok": true} or {"error": "..."}

End of stdin stops soffice and the worker. Standard library and unoserver only.

The worker leads its own process group, which soffice, the oosplash it execs and the soffice.bin
that oosplash forks all join. A watcher process kills that whole group the moment kinerja (the
pid in argv) or the worker itself is gone, whatever ended it (kill -9 included), even while a
conversion is stuck in LibreOffice: a parent-death signal would not do, as it follows the
kinerja *thread* that started the worker and is not inherited by soffice.bin.
"""

import json
import os
import select
import signal
import subprocess
import sys
import time


def _parent_of(pid: int) -> int:
    """The parent pid of ``pid`` (/proc), or 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return int(f.read().rsplit(b")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return 0


def watch(kinerja: int) -> None:
    """Fork the watcher: it waits for kinerja or this worker to end, then kills the group."""
    worker = os.getpid()
    try:
        handles = [os.pidfd_open(kinerja), os.pidfd_open(worker)]
    except (AttributeError, OSError):  # kinerja already gone, or a kernel before 5.3
        handles = []
    if os.getppid() != kinerja:  # kinerja died before we could watch it: end now
        os.killpg(0, signal.SIGKILL)
    if os.fork() != 0:
        return
    # the watcher: nothing of the worker's pipes, so kinerja sees the worker end at once
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    try:
        if handles:
            select.select(handles, [], [])
        else:
            while _parent_of(worker) == kinerja:
                time.sleep(0.25)
    finally:
        os.killpg(0, signal.SIGKILL)


def main() -> int:
    port, profile, infilter = sys.argv[1], sys.argv[2], sys.argv[3]
    watch(int(sys.argv[4]))
    soffice = subprocess.Popen(
        [
            "soffice",
            "--headless",
            "--invisible",
            "--nocrashreport",
            "--nodefault",
            "--nologo",
            "--nofirststartwizard",
            "--norestore",
            f"-env:UserInstallation={profile}",
            f"--accept=socket,host=127.0.0.1,port={port},tcpNoDelay=1;urp;"
            "StarOffice.ComponentContext",
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    from unoserver.converter import UnoConverter  # imports uno: system Python only

    deadline = time.monotonic() + 60
    converter = None
    while converter is None:
        try:
            converter = UnoConverter(interface="127.0.0.1", port=port)
        except Exception as e:  # uno raises its own types until soffice answers
            if soffice.poll() is not None or time.monotonic() > deadline:
                print(json.dumps({"error": f"LibreOffice did not start: {e}"}), flush=True)
                soffice.kill()
                return 1
            time.sleep(0.05)
    print(json.dumps({"ready": True}), flush=True)
    try:
        for line in sys.stdin:
            request = json.loads(line)
            try:
                converter.convert(
                    inpath=request["docx"],
                    outpath=request["pdf"],
                    convert_to="pdf",
                    filtername=request["filter"],
                    filter_options=request["options"],
                    update_index=False,
                    infiltername=infilter,
                )
                answer: dict[str, object] = {"ok": True}
            except Exception as e:  # reported to the caller, who decides
                answer = {"error": f"{e.__class__.__name__}: {e}".strip()}
            print(json.dumps(answer), flush=True)
    finally:
        soffice.terminate()
        try:
            soffice.wait(5)
        except subprocess.TimeoutExpired:
            soffice.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
