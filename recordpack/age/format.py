"""The age v1 header: stanzas, canonical base64, strict parsing and writing.

The rules are those of c2sp.org/age: lines end in LF only, stanza arguments are
non-empty runs of printable ASCII, bodies are unpadded canonical base64 wrapped at
64 columns and always end with a short (possibly empty) line.
"""

from __future__ import annotations

import binascii
from dataclasses import dataclass, field
from typing import BinaryIO

from recordpack.age.errors import HeaderError

INTRO = b"age-encryption.org/v1\n"
STANZA_PREFIX = b"-> "
MAC_PREFIX = b"---"
BODY_COLUMNS = 64
# Headers are small (a post-quantum stanza is about 1.5 KB); the caps keep a hostile
# file from making us buffer without end while we look for the MAC line.
MAX_LINE = 64 * 1024
MAX_HEADER = 4 * 1024 * 1024

_B64_ALPHABET = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")


def b64encode(data: bytes) -> str:
    """Standard base64 without padding, as age writes it."""
    return binascii.b2a_base64(data, newline=False).rstrip(b"=").decode("ascii")


def b64decode(text: str | bytes, what: str = "base64") -> bytes:
    """Decode unpadded canonical base64; raises HeaderError for anything else."""
    raw = text.encode("ascii", "replace") if isinstance(text, str) else bytes(text)
    if any(c not in _B64_ALPHABET for c in raw) or len(raw) % 4 == 1:
        raise HeaderError(f"the {what} in the file header is not valid base64")
    try:
        data = binascii.a2b_base64(raw + b"=" * (-len(raw) % 4), strict_mode=True)
    except binascii.Error:
        raise HeaderError(f"the {what} in the file header is not valid base64") from None
    # Non-zero unused bits decode fine but re-encode differently: not canonical.
    if b64encode(data).encode("ascii") != raw:
        raise HeaderError(f"the {what} in the file header is not canonical base64")
    return data


@dataclass(frozen=True)
class Stanza:
    """One recipient stanza: a type, its arguments and a binary body."""

    type: str
    args: tuple[str, ...] = ()
    body: bytes = b""

    def encode(self) -> bytes:
        """The stanza's lines as they appear in a header."""
        encoded = b64encode(self.body)
        lines = [" ".join(("->", self.type, *self.args))]
        lines += [encoded[i : i + BODY_COLUMNS] for i in range(0, len(encoded), BODY_COLUMNS)]
        if len(encoded) % BODY_COLUMNS == 0:
            lines.append("")  # the body always ends with a short line
        return ("\n".join(lines) + "\n").encode("ascii")


@dataclass(frozen=True)
class Header:
    """A parsed header: its stanzas, its MAC and the bytes the MAC covers."""

    stanzas: tuple[Stanza, ...]
    mac: bytes
    mac_input: bytes = field(repr=False)


def _is_arg(arg: bytes) -> bool:
    return bool(arg) and all(0x21 <= c <= 0x7E for c in arg)


def _read_line(src: BinaryIO, total: int) -> bytes:
    line = src.readline(MAX_LINE)
    if not line:
        raise HeaderError("the file ends inside its header: it is truncated or not an age file")
    if not line.endswith(b"\n"):
        if len(line) >= MAX_LINE:
            raise HeaderError("a header line is absurdly long: this is not a valid age file")
        raise HeaderError("the file ends inside its header: it is truncated or not an age file")
    if total + len(line) > MAX_HEADER:
        raise HeaderError("the file header is absurdly large: this is not a valid age file")
    return line


#: The first bytes of a ZIP file (a local file header).
ZIP_MAGIC = b"PK\x03\x04"


def parse_header(src: BinaryIO) -> Header:
    """Read and check a header from ``src``, leaving it positioned at the payload nonce."""
    first = src.readline(len(INTRO))
    if first != INTRO:
        if first.startswith(b"age-encryption.org/"):
            raise HeaderError(
                "this file uses an age format version this program does not support",
                hint="Ask the sender which program made it; recordpack reads age v1 files.",
            )
        if first.startswith(ZIP_MAGIC):
            # Someone ran `age -d` already and passed on the plain ZIP: not damage.
            raise HeaderError(
                "this is a plain ZIP file, not an encrypted bundle (it was probably "
                "decrypted already)",
                hint="Unzip it to read it (start with index.html inside). To have recordpack "
                "check it, ask the sender for the .rpk file itself.",
            )
        raise HeaderError("this is not an age-encrypted file (its first line is wrong)")
    consumed = bytearray(first)
    stanzas: list[Stanza] = []
    line = _read_line(src, len(consumed))
    while True:
        if line.startswith(STANZA_PREFIX):
            consumed += line
            parts = line[len(STANZA_PREFIX) : -1].split(b" ")
            if not all(_is_arg(part) for part in parts):
                raise HeaderError("a recipient line in the file header is malformed")
            body = bytearray()
            while True:
                body_line = _read_line(src, len(consumed))
                consumed += body_line
                content = body_line[:-1]
                if len(content) > BODY_COLUMNS:
                    raise HeaderError("a recipient body line in the file header is too long")
                body += b64decode(content, "recipient body")
                if len(content) < BODY_COLUMNS:
                    break
            names = [part.decode("ascii") for part in parts]
            stanzas.append(Stanza(names[0], tuple(names[1:]), bytes(body)))
            line = _read_line(src, len(consumed))
        elif line.startswith(MAC_PREFIX + b" "):
            mac_input = bytes(consumed) + MAC_PREFIX
            mac = b64decode(line[len(MAC_PREFIX) + 1 : -1], "header MAC")
            if len(mac) != 32:
                raise HeaderError("the header MAC has the wrong length")
            if not stanzas:
                raise HeaderError("the file header names no recipient")
            return Header(tuple(stanzas), mac, mac_input)
        else:
            raise HeaderError(
                "the file header contains a line that is neither a recipient nor the MAC"
            )


def header_without_mac(stanzas: list[Stanza]) -> bytes:
    """The header bytes the MAC covers, ending in ``---``."""
    return INTRO + b"".join(s.encode() for s in stanzas) + MAC_PREFIX


def encode_mac_line(mac: bytes) -> bytes:
    """The `` <mac>\\n`` tail that completes a header after ``---``."""
    return b" " + b64encode(mac).encode("ascii") + b"\n"
