"""A warm LibreOffice worker, run by the *system* Python (the one with LibreOffice's ``uno``).

Not imported by kinerja: :mod:`signer.convert` starts it as a script. It starts one headless
soffice on a private profile, connects unoserver's UnoConverter to it as soon as it answers
(unoserver's own server sleeps 7 s at start), then converts one document per request line:

    stdin:  {"docx": "/abs/in.docx", "pdf": "/abs/out.pdf", "filter": "...", "options": [...]}
    stdout: {"ok": true} or {"error": "..."}

End of stdin stops soffice and the worker. Standard library and unoserver only.
"""

import json
import subprocess
import sys
import time


def main() -> int:
    port, profile, infilter = sys.argv[1], sys.argv[2], sys.argv[3]
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
