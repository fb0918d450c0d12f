"""Names as certificates carry them: the plain name without gelar, and matching a certificate's
holder to a party.

A workbook writes an official's name as it is printed, with gelar: "Dr. Rina Kartikasari,
S.KM., M.Kes.". A BSrE certificate carries the plain name of the holder's identity record
(notes/domain.md §4.2: the commonName is the plain name, e.g. "Donald Franky Supit", while the
application puts "Donald Franky Supit, SH, MH - NIP. ..." into the signature's reason). So a
holder is matched to a party by the name without gelar, case, spacing and punctuation aside;
a certificate that does carry the name with gelar still matches ("exact").

What counts as gelar, and why:

- **Before the name** (gelar depan and sebutan): the academic and professional titles that
  Indonesian practice writes in front (Prof., Dr. and Dr. (H.C.), dr., drg., drh., Ir., Drs.,
  Dra., apt., Ns., Bd.; Permendikbud 154/2014 and the professions' own rules), the religious
  ones (H., Hj., Haji, Hajjah, K.H., Kiai, Ustadz, T.G.H., Pdt., Romo), forms of address
  (Bapak, Bpk., Ibu, Tn., Ny., Nn., Sdr., Sdri.) and the marks of an acting office that people
  type into a name field (Plt., Plh., Pj., Pjs.). Each needs a dot or a space after it, so
  "Irawan" or "Hendra" are never cut.
- **After the name**: everything after the first comma. The spelling rules (PUEBI/EYD, "tanda
  koma dipakai di antara nama orang dan singkatan gelar akademis yang mengikutinya") put a comma
  there, and a name on an identity record has no punctuation (Permendagri 73/2022), so a comma
  never belongs to the name. Without a comma, trailing words that are clearly degrees are cut:
  a dotted degree form (S.E., M.Si., Sp.A, A.Md.Kep., Ph.D.) or a known degree written without
  dots in at least two capitals (SE, MM, MSi, SKom, PhD).
- **Kept**: nobility and adat names (Raden, R., Andi, Teuku, Tengku, Cut, Gusti, Anak Agung,
  I Made, Ni Luh). They are written on the identity record as part of the name, and several
  are also given names ("Andi"); cutting them would make different people the same.

"dr." (a physician) and "Dr." (a doctorate) differ, but both are gelar: without gelar they say
nothing about who holds a certificate. They still decide whether a name matched "exactly".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from signer.model import Agreement, Ceremony, Peran, Pihak

# Gelar and sebutan written before a name, as regular expressions (case is ignored). Longer
# forms first, so "Drs" is not read as "Dr" followed by "s".
GELAR_DEPAN: tuple[tuple[str, str], ...] = (
    # academic and professional
    ("Prof.", r"prof(?:esor)?"),
    ("Dr. (H.C.)", r"dr\.?\s*\(\s*h\.?\s*c\.?\s*\)|dr\.\s*h\.\s*c"),
    ("Drs.", r"drs"),
    ("Dra.", r"dra"),
    ("drg.", r"drg"),
    ("drh.", r"drh"),
    ("Dr./dr.", r"dr"),
    ("Ir.", r"ir"),
    ("apt.", r"apt"),
    ("Ns.", r"ns"),
    ("Bd.", r"bd"),
    # religious
    ("K.H.", r"k\.?\s?h"),
    ("T.G.H.", r"t\.?\s?g\.?\s?h"),
    ("Hj.", r"hj|hajj?ah"),
    ("H.", r"h|haji"),
    ("Kiai", r"kiai|kyai"),
    ("Ustadz", r"ustadzah|ustazah|ustadz|ustaz"),
    ("Pdt.", r"pdt|pendeta"),
    ("Romo", r"romo|rm"),
    # forms of address
    ("Bapak", r"bapak|bpk"),
    ("Ibu", r"ibu"),
    ("Tn.", r"tn"),
    ("Ny.", r"ny|nyonya"),
    ("Nn.", r"nn"),
    ("Sdr.", r"sdri|sdr|saudari|saudara"),
    # an acting office typed into a name field
    ("Plt.", r"plt"),
    ("Plh.", r"plh"),
    ("Pjs.", r"pjs"),
    ("Pj.", r"pj"),
)

_DEPAN = re.compile(
    "|".join(f"(?:{pattern})(?:\\s*\\.\\s*|\\s+)" for _, pattern in GELAR_DEPAN),
    re.IGNORECASE,
)

# Degree families written with dots: S.E., S.Kom., S.Tr.Kes., M.Si., M.A.P., Sp.A(K),
# Sp.THT-KL, A.Md.Kep., Ph.D., LL.M., B.Sc., D.Sc., Dipl.-Ing.
_DOTTED_DEGREE = re.compile(
    r"(?:S|M|D|B|Sp|A\.\s?Md|A\.\s?Ma|Ph|LL|Ed|Dipl)\s?\.\s?[A-Za-z][A-Za-z.()\-\s]*\.?"
    r"|(?:Ph\.?\s?D|LL\.?\s?[MB]|Lc|Ak|Apt|Psi)\.?",
)

# Degrees and professional suffixes by their letters (dots, spaces, hyphens and case aside):
# S.x and M.x degrees by field (Permendikbud 154/2014), diplomas (A.Md.x), specialists (Sp.x,
# also matched by pattern), foreign degrees, and the professional suffixes auditors and
# accountants carry (Ak., CA, QIA, CGAP)
GELAR_BELAKANG: frozenset[str] = frozenset(
    """
    se sh st sp ssi spd sag ssos shum spsi skom sip sap sab sak sars spt shut spi skel ssn sds
    sked skm skep sfarm sgz sikom ssy shi sthi spdi sei sstp stp stptk sstr strkes strkeb strkep
    strt strip sst sth sfil mm msi mkes map mpd mt mh mkn mkom mag me mak msc mba mpa mph
    mpp meng ma mhum mpsi mep mec mecdev msp mtp mhi mpdi msy mfarm mkep mgz mikom msn mds mars
    mfil mtr mhan mmr mmrs mkm mpsit mbiomed mip madm llm llb lld phd dsc edd dea dipling
    bsc ba beng lc ak ca cpa cma qia cgap cia cisa crma crmp cfra cfe cpma chrmp cqia cpi apt
    ners psikolog ipu ipm ipp aseaneng finasim fiha fisqua amd amdkeb amdkep amdkes amdgz
    amdfarm amdak amdt amdkom amdpar ama ap
    """.split()  # noqa: SIM905 (a list of 150 words reads better as text)
)

# A physician and a doctorate: the only gelar whose case means something
_DOCTOR = re.compile(r"(?<!\w)d[r]\.", re.IGNORECASE)


def _letters(text: str) -> str:
    """The letters and digits of a text, case folded: what a name is compared on."""
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text).casefold())


def is_gelar_belakang(text: str) -> bool:
    """Is ``text`` (one item after the comma, or a trailing word) a degree or suffix we know?"""
    text = text.strip().strip(",")
    if not text:
        return False
    key = _letters(text)
    if key in GELAR_BELAKANG or re.fullmatch(r"sp[a-z]{1,8}k?", key):
        return True
    if _DOTTED_DEGREE.fullmatch(text):
        return True
    words = text.split()
    return len(words) > 1 and all(is_gelar_belakang(w) for w in words)


@dataclass(frozen=True)
class ParsedName:
    """A name split into its gelar before, its plain name, and its gelar after."""

    depan: tuple[str, ...]
    nama: str
    belakang: tuple[str, ...]
    unknown: tuple[str, ...] = ()
    """Items after the comma that are not a degree we know (taken as gelar all the same)."""

    @property
    def gelar(self) -> bool:
        return bool(self.depan or self.belakang)


def parse_name(text: str) -> ParsedName:
    """Split a name as printed into gelar before, the plain name, and gelar after."""
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()
    head, _, tail = text.partition(",")
    belakang = [t.strip() for t in tail.split(",") if t.strip()] if tail else []
    unknown = [t for t in belakang if not is_gelar_belakang(t)]
    depan: list[str] = []
    rest = head.strip()
    while m := _DEPAN.match(rest):
        depan.append(m.group(0).strip())
        rest = rest[m.end() :]
    words = rest.split()
    trailing: list[str] = []
    while len(words) > 1 and _trailing_degree(words[-1]):
        trailing.insert(0, words.pop())
    return ParsedName(tuple(depan), " ".join(words), tuple(trailing + belakang), tuple(unknown))


def _trailing_degree(word: str) -> bool:
    """A last word without a comma before it is cut only when it cannot be part of a name."""
    if _DOTTED_DEGREE.fullmatch(word) and "." in word:
        return True
    return _letters(word) in GELAR_BELAKANG and sum(c.isupper() for c in word) >= 2


def plain_name(text: str) -> str:
    """The name without gelar, as written: "Dr. Rina Kartikasari, S.KM." -> "Rina Kartikasari"."""
    return parse_name(text).nama


def name_key(text: str) -> str:
    """What two plain names are compared on: letters and digits, case folded."""
    return _letters(plain_name(text))


def normalise_name(name: str) -> str:
    """A name with its gelar compared the way people mean it: case and spacing aside."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name).casefold())


class NameMatch(StrEnum):
    """How a certificate's name matched a party's."""

    EXACT = "exact"  # the certificate carries the name as printed, gelar and all
    PLAIN = "plain"  # the same name without gelar
    PINNED = "pinned"  # a certificate the user pinned for the party (and the same plain name)


def match_name(certificate_name: str, nama: str) -> NameMatch | None:
    """How ``certificate_name`` is the party named ``nama``, or None if it is not.

    Exact: the same text, case and spacing aside, except that "dr." and "Dr." differ unless the
    certificate writes the whole name in capitals (then it cannot tell). Plain: the same name
    without gelar, case, spacing and punctuation aside. An empty plain name matches nothing.
    """
    key = name_key(nama)
    if not key or name_key(certificate_name) != key:
        return None
    if normalise_name(certificate_name) == normalise_name(nama) and (
        certificate_name.isupper() or _DOCTOR.findall(certificate_name) == _DOCTOR.findall(nama)
    ):
        return NameMatch.EXACT
    return NameMatch.PLAIN


def same_person(certificate_name: str, nama: str) -> bool:
    """Is a certificate's name the party's, gelar aside?"""
    return match_name(certificate_name, nama) is not None


# a NIP a CA puts in the subject's serialNumber, as a national-scheme identifier: "NIP.1974..."
# (BSrE's certificates carry none; the demo PKI's do)
_SERIAL_NIP = re.compile(r"NIP[\s.:-]*((?:\d[\s.]?){17}\d)", re.IGNORECASE)


def certificate_nip(subject: Mapping[str, object]) -> str | None:
    """The 18 digits of the NIP a certificate's subject (asn1crypto's ``subject.native``) gives
    in its serialNumber as ``NIP.<digits>``, or None when it gives none."""
    value = subject.get("serial_number")
    for text in value if isinstance(value, list) else [value]:
        if isinstance(text, str) and (found := _SERIAL_NIP.fullmatch(text.strip())):
            return re.sub(r"\D", "", found.group(1))
    return None


def holder_names(subject: Mapping[str, object]) -> tuple[str, ...]:
    """The names a certificate gives its holder (asn1crypto's ``subject.native``), fullest first.

    RFC 5280 bounds the commonName at 64 characters (ub-common-name) but givenName and surname
    at 32768 (ub-name); ETSI EN 319 412-2 puts the registered name of a natural person in
    givenName and/or surname, and lets the commonName be a display form. So a name too long for
    the commonName is read from givenName and surname.
    """

    def text(key: str) -> str:
        value = subject.get(key)
        if isinstance(value, list):
            return " ".join(str(v) for v in value)
        return str(value) if value else ""

    names = [
        " ".join(x for x in (text("given_name"), text("surname")) if x),
        text("name"),
        text("common_name"),
    ]
    out: list[str] = []
    for n in names:
        if n and n not in out:
            out.append(n)
    return tuple(out)


def common_name(nama: str, limit: int = 64) -> str:
    """A commonName of at most ``limit`` characters for a plain name (RFC 5280 ub-common-name).

    A longer name keeps its last word and shortens the others to initials from the right, as
    Indonesian writing does ("Muhammad" -> "M."); the whole name goes into givenName.
    """
    words = nama.split()
    i = len(words) - 2
    while len(" ".join(words)) > limit and i >= 0:
        words[i] = words[i][0] + "."
        i -= 1
    return " ".join(words)[:limit]


def parties(agreement: Agreement) -> list[tuple[Peran, Pihak]]:
    """The parties of a document with their roles (a document may name fewer than two)."""
    return [(role, agreement.pihak(role)) for role in agreement.peran]


def _label(role: Peran) -> str:
    return role.value.replace("-", " ")


def namesakes(agreement: Agreement, role: Peran) -> list[tuple[Peran, Pihak]]:
    """The other parties of the document with the same plain name as ``role``'s: a name cannot
    tell their certificates apart."""
    mine = agreement.pihak(role)
    key = name_key(mine.nama)
    return [
        (r, p)
        for r, p in parties(agreement)
        if r is not role
        and key
        and name_key(p.nama) == key
        and (p.nama, p.nip) != (mine.nama, mine.nip)
    ]


def name_warnings(ceremony: Ceremony) -> list[str]:
    """What will keep a certificate from being matched to a party by name: for `kinerja check`.

    A warning does not stop anything: the ceremony can still be generated, and the parties
    concerned sign and verify with a pinned certificate (``--certificate``).
    """
    out: list[str] = []
    seen_empty: set[str] = set()
    seen_unknown: set[tuple[str, str]] = set()
    for p in ceremony.parties:
        parsed = parse_name(p.nama)
        if not _letters(parsed.nama) and p.nama not in seen_empty:
            seen_empty.add(p.nama)
            out.append(
                f"Pejabat '{p.nama}': nothing is left of the name without gelar, so no "
                "certificate can match it"
            )
        for item in parsed.unknown:
            if (p.nama, item) not in seen_unknown:
                seen_unknown.add((p.nama, item))
                out.append(
                    f"Pejabat '{p.nama}': '{item}' after the comma is not a gelar kinerja knows; "
                    f"it is left out of the name a certificate must carry ('{parsed.nama}')"
                )
    for a in ceremony.agreements:
        done: set[Peran] = set()
        for role, party in parties(a):
            others = [(r, o) for r, o in namesakes(a, role) if r not in done]
            done.add(role)
            for r, o in others:
                out.append(
                    f"{a.id}: {_label(role)} '{party.nama}' and {_label(r)} '{o.nama}' share "
                    f"the plain name '{plain_name(party.nama)}'; a certificate cannot tell them "
                    "apart by name: sign and verify with their certificates pinned (--certificate)"
                )
    people: dict[str, list[Pihak]] = {}
    for p in ceremony.parties:
        if key := name_key(p.nama):
            group = people.setdefault(key, [])
            if all(str(q.nip) != str(p.nip) for q in group):
                group.append(p)
    for group in people.values():
        if len(group) > 1:
            who = ", ".join(f"'{p.nama}' (NIP {p.nip or '-'})" for p in group)
            out.append(
                f"{who} are different people with the plain name '{plain_name(group[0].nama)}'; "
                "a key store cannot choose their certificates by name: sign with --certificate"
            )
    return out


# ---- pins: a certificate named for a party by the user -------------------------------------


@dataclass(frozen=True)
class PartyPin:
    """A certificate the user names for a party: ``--certificate WHO=SHA256`` or ``WHO=CERT``.

    WHO is a role (``pihak-pertama``, ``pihak-kedua``: that role in every document of the run),
    a NIP (18 digits, spaces or dots allowed: that official wherever they appear), or a name as
    the workbook writes it, gelar included (case and spacing aside).
    """

    who: str
    sha256: str
    """The certificate's SHA-256 fingerprint, lowercase hex without separators."""

    def applies_to(self, role: Peran | None, party: Pihak) -> bool:
        if self.who in {r.value for r in Peran}:
            return role is not None and self.who == role.value
        digits = re.sub(r"[\s.]", "", self.who)
        if re.fullmatch(r"\d{18}", digits):
            return party.nip is not None and party.nip.digits == digits
        return normalise_name(self.who) == normalise_name(party.nama)


def pins_for(pins: Iterable[PartyPin], role: Peran | None, party: Pihak) -> set[str]:
    """The fingerprints pinned for a party; empty when none is."""
    return {p.sha256 for p in pins if p.applies_to(role, party)}


@dataclass(frozen=True)
class Identification:
    """How a certificate was found to be a party's: for the verify report and its JSON."""

    role: Peran
    party: str
    """The party's name as the document prints it."""
    certificate_name: str
    """The certificate's name that matched."""
    how: NameMatch
    sha256: str

    def describe(self) -> str:
        who = f"{_label(self.role)} '{self.party}'"
        if self.how is NameMatch.EXACT:
            return f"certificate name '{self.certificate_name}' = {who} (exact name)"
        if self.how is NameMatch.PINNED:
            return (
                f"pinned certificate SHA-256 {self.sha256[:16]}... of '{self.certificate_name}' "
                f"= {who}"
            )
        return f"certificate name '{self.certificate_name}' = {who} without gelar"

    def as_dict(self) -> dict[str, str]:
        return {
            "match": self.how.value,
            "certificate_name": self.certificate_name,
            "party": self.party,
            "plain_name": plain_name(self.party),
            "certificate_sha256": self.sha256,
        }


class NotIdentified(Exception):
    """A certificate that cannot be shown to be the party's; ``ambiguous`` when only a pin
    could tell (proof missing rather than a contradiction)."""

    def __init__(self, reason: str, *, ambiguous: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.ambiguous = ambiguous


def identify(
    agreement: Agreement,
    role: Peran,
    names: Sequence[str],
    sha256: str,
    pins: Iterable[PartyPin] = (),
    nip: str | None = None,
) -> Identification:
    """Show that a certificate (its holder's ``names``, its fingerprint, the ``nip`` it carries
    if any: :func:`certificate_nip`) is ``role``'s party of ``agreement``, or raise
    :class:`NotIdentified` with the reason."""
    party = agreement.pihak(role)
    who = f"{_label(role)} '{party.nama}'"
    pinned = pins_for(pins, role, party)
    matches = [(n, m) for n in names if (m := match_name(n, party.nama)) is not None]
    shown = names[0] if names else "(no name)"
    if nip is not None and party.nip is not None and nip != party.nip.digits:
        # a namesake's certificate: the same name, another person
        raise NotIdentified(
            f"the certificate of '{shown}' is for NIP {nip}, but {who} has NIP {party.nip.digits}"
        )
    if pinned and sha256 not in pinned:
        raise NotIdentified(
            f"the certificate of '{shown}' (SHA-256 {sha256[:16]}...) is not the one pinned "
            f"for {who}"
        )
    if not matches:
        raise NotIdentified(
            f"the certificate belongs to '{shown}', but {who} is '{plain_name(party.nama)}' "
            "without gelar"
        )
    name, how = max(matches, key=lambda nm: nm[1] is NameMatch.EXACT)
    if pinned:
        return Identification(role, party.nama, name, NameMatch.PINNED, sha256)
    if others := namesakes(agreement, role):
        listed = " and ".join(f"{_label(r)} '{o.nama}'" for r, o in others)
        raise NotIdentified(
            f"{who} and {listed} share the plain name '{plain_name(party.nama)}', so a name "
            f"cannot tell their certificates apart: pin {_label(role)}'s certificate "
            f"(--certificate {role.value}=SHA256 or --certificate NIP=CERT)",
            ambiguous=True,
        )
    return Identification(role, party.nama, name, how, sha256)
