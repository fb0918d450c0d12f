"""The verification address (``verify_url``): where the QR code on every page leads.

Set in the workbook's Instansi sheet (``https://sakip.example.go.id/v/``), embedded in the
agreement's data and so signed; the QR then carries the address followed by the verification
code (the SHA-256 of the embedded data), and the footer prints the address. One canonical form
is stored, so that one agreement has one byte form: scheme and host in lower case and a ``/`` at
the end (``https://X.go.id/v`` and ``https://x.go.id/v/`` are the same address).

Refused: anything but an absolute ``https://`` address (plain ``http://`` only on the loopback
interface, for the demo's local portal), credentials, a query or a fragment (the code is appended
to the path), dot segments (a browser would open another path than the one printed), characters
outside printable ASCII, and more than :data:`PANJANG_MAKS` characters.
"""

from __future__ import annotations

import ipaddress
import re
import urllib.parse

from signer.remote.http import is_loopback

PANJANG_MAKS = 64
"""The longest address, canonical form: printed after "Verifikasi: " in the 105 mm text column
of the footer at 7.5 pt, 64 of the widest letters take two lines (five lines in all, still lower
than the 18 mm QR beside them, so the footer and every page above keep their height on A4 and
F4), and the QR of 64 + 64 characters stays at version 8 (1 pt modules)."""

_HOST = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$")
# RFC 3986 path characters: unreserved, sub-delims, ':', '@', '/' and percent-escapes
_PATH = re.compile(r"^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*$")


def canonical(text: str) -> str:
    """``text`` as the one stored form of a verification address; ``ValueError`` saying what is
    wrong and what is expected otherwise."""
    expected = "expected an address such as https://sakip.example.go.id/v/"
    if not text:
        raise ValueError(f"empty, {expected}")
    if any(not "!" <= c <= "~" for c in text):
        bad = next(c for c in text if not "!" <= c <= "~")
        raise ValueError(f"the character {bad!r} is not allowed (printable ASCII only, no spaces)")
    if "?" in text or "#" in text:
        raise ValueError("no query ('?') or fragment ('#'): the verification code is appended")
    try:
        parts = urllib.parse.urlsplit(text)
    except ValueError:  # a bracketed host that is no IPv6 address
        raise ValueError("its host is not a host name or address") from None
    if "@" in parts.netloc:  # said before anything that would echo the address
        raise ValueError("give no user name or password in the address")
    scheme = parts.scheme.lower()
    if (
        scheme not in ("http", "https")
        or not parts.netloc
        or not text[len(scheme) :].startswith("://")
    ):
        raise ValueError(f"{text!r} is not an absolute https:// address, {expected}")
    host = parts.hostname or ""
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"the port of {parts.netloc!r} is not a number from 1 to 65535") from None
    if port == 0:
        raise ValueError(f"the port of {parts.netloc!r} is not a number from 1 to 65535")
    if host.startswith("[") or ":" in host:
        try:
            ipaddress.IPv6Address(host.strip("[]"))
        except ValueError:
            raise ValueError(f"{host!r} is not a host name or address") from None
        host = f"[{host.strip('[]')}]"
    elif not _HOST.fullmatch(host):
        raise ValueError(f"{host!r} is not a host name or address")
    if scheme == "http" and not is_loopback(host):
        raise ValueError(
            "plain http:// only for this machine (localhost, 127.0.0.1, [::1]); a published "
            "address must be https://"
        )
    path = parts.path or "/"
    if not _PATH.fullmatch(path):
        raise ValueError(f"the path {path!r} has characters an address cannot carry unescaped")
    if any(segment in (".", "..") for segment in path.split("/")):
        raise ValueError(f"the path {path!r} has '.' or '..' segments")
    if not path.endswith("/"):
        path += "/"  # the code follows the path's last '/'
    out = f"{scheme}://{host}{'' if port is None else f':{port}'}{path}"
    if len(out) > PANJANG_MAKS:
        raise ValueError(f"{len(out)} characters, at most {PANJANG_MAKS} fit in the footer")
    return out


def qr_url(verify_url: str, sha256: str) -> str:
    """The address the QR code carries: the verification address and the code, lower-case hex."""
    return f"{verify_url}{sha256}"
