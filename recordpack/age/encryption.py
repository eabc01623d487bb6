"""Encrypt and decrypt age v1 files: streaming writer, streaming and random-access readers."""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from types import TracebackType
from typing import IO, TYPE_CHECKING, BinaryIO, cast

from recordpack.age import scrypt
from recordpack.age.armor import ArmorReader, ArmorWriter, looks_armored
from recordpack.age.base import Identity, Recipient
from recordpack.age.errors import (
    AgeKeyError,
    ArmorError,
    HeaderError,
    HeaderMACError,
    NoIdentityMatchError,
    WrongPassphraseError,
)
from recordpack.age.format import (
    Header,
    Stanza,
    encode_mac_line,
    header_without_mac,
    parse_header,
)
from recordpack.age.primitives import FILE_KEY_SIZE, header_mac, mac_matches, payload_key
from recordpack.age.stream import RandomAccessReader, StreamReader, StreamWriter

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer, WriteableBuffer

NONCE_SIZE = 16
_SNIFF = 256


class AgeWriter(io.RawIOBase):
    """A writable file object that encrypts into ``dst``.

    ``close()`` (or leaving a ``with`` block normally) seals the final chunk and, when
    armored, writes the end line. Leaving a ``with`` block by an exception does not:
    an interrupted output can never pass for a complete file. ``dst`` is not closed.
    """

    def __init__(
        self,
        dst: BinaryIO,
        recipients: Sequence[Recipient],
        armor: bool = False,
        *,
        buffers: int = 2,
    ) -> None:
        super().__init__()
        if not recipients:
            raise AgeKeyError("no recipient given: the file would be impossible to open")
        if len(recipients) > 1 and any(isinstance(r, scrypt.ScryptRecipient) for r in recipients):
            raise AgeKeyError(
                "a passphrase must be the only recipient of a file",
                hint="Encrypt either with a passphrase or with public keys, not both.",
            )
        file_key = os.urandom(FILE_KEY_SIZE)
        stanzas: list[Stanza] = []
        for recipient in recipients:
            stanzas.extend(recipient.wrap(file_key))
        head = header_without_mac(stanzas)
        nonce = os.urandom(NONCE_SIZE)
        self._armor = ArmorWriter(dst) if armor else None
        out = cast(BinaryIO, self._armor) if self._armor is not None else dst
        out.write(head + encode_mac_line(header_mac(file_key, head)) + nonce)
        self._stream = StreamWriter(out, payload_key(file_key, nonce), buffers=buffers)

    def writable(self) -> bool:
        return True

    def write(self, data: ReadableBuffer) -> int:
        return self._stream.write(data)

    def close(self) -> None:
        if not self.closed:
            self._stream.close()
            if self._armor is not None:
                self._armor.close()
            super().close()

    def abandon(self) -> None:
        """Stop without finishing the file (it will not decrypt as complete)."""
        if not self.closed:
            self._stream.abandon()
            if self._armor is not None:
                self._armor.abandon()
            super().close()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abandon()


def encrypt_writer(
    dst: IO[bytes], recipients: Sequence[Recipient], armor: bool = False, *, buffers: int = 2
) -> BinaryIO:
    """Start an age file in ``dst``; write the plaintext to the returned object, then close it.

    The object is an :class:`AgeWriter` (typed as a binary file for callers' convenience);
    ``buffers`` is :class:`~recordpack.age.stream.StreamWriter`'s.
    """
    return cast(
        BinaryIO, AgeWriter(cast(BinaryIO, dst), recipients, armor=armor, buffers=buffers)
    )


class _Prefixed(io.RawIOBase):
    """``prefix`` followed by the rest of ``src``: lets us sniff a non-seekable stream."""

    def __init__(self, prefix: bytes, src: BinaryIO) -> None:
        super().__init__()
        self._prefix = prefix
        self._src = src

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        if self._prefix:
            n = min(len(view), len(self._prefix))
            view[:n] = self._prefix[:n]
            self._prefix = self._prefix[n:]
            return n
        data = self._src.read(len(view))
        if not data:
            return 0
        view[: len(data)] = data
        return len(data)


def _seekable(src: IO[bytes]) -> bool:
    try:
        return src.seekable()
    except (AttributeError, ValueError, OSError):
        return False


def _file_key(header: Header, identities: Sequence[Identity]) -> bytes:
    """Find the file key with one of ``identities`` and check the header MAC."""
    stanzas = header.stanzas
    passphrase_file = any(s.type == scrypt.STANZA_TYPE for s in stanzas)
    if passphrase_file and len(stanzas) != 1:
        raise HeaderError("a passphrase-protected file must have no other recipient")
    if not identities:
        raise AgeKeyError("no key or passphrase given to open the file")
    file_key = None
    for identity in identities:
        file_key = identity.unwrap(stanzas)
        if file_key is not None:
            break
    if file_key is None:
        if passphrase_file and any(isinstance(i, scrypt.ScryptIdentity) for i in identities):
            raise WrongPassphraseError("the passphrase is wrong")
        if passphrase_file:
            raise NoIdentityMatchError(
                "this file is protected by a passphrase, not by a key",
                hint="Open it with the passphrase the sender gave you.",
            )
        if all(isinstance(i, scrypt.ScryptIdentity) for i in identities):
            raise NoIdentityMatchError(
                "this file is locked with public keys, not with a passphrase",
                hint="Open it with the key file (age identity) of one of the keys it was "
                "encrypted to.",
            )
        raise NoIdentityMatchError("this file was not encrypted to any of your keys")
    if not mac_matches(file_key, header.mac_input, header.mac):
        raise HeaderMACError("the file header was altered (its authentication code does not match)")
    return file_key


def _read_nonce(src: BinaryIO) -> bytes:
    nonce = src.read(NONCE_SIZE)
    if nonce is None or len(nonce) != NONCE_SIZE:
        raise HeaderError("the file ends right after its header: it is truncated")
    return nonce


def decrypt_reader(
    src: IO[bytes], identities: Sequence[Identity], *, armored: bool | None = None
) -> BinaryIO:
    """Open an age file for streaming decryption.

    Header problems and a key that does not fit raise at once; a damaged payload raises
    PayloadError from ``read`` before any byte of the damaged chunk is returned.
    ``armored=None`` detects the text form; True or False forces it.
    """
    source = cast(BinaryIO, src)
    if armored is None:
        seekable = _seekable(src)
        start = src.tell() if seekable else 0
        prefix = src.read(_SNIFF) or b""
        armored = looks_armored(prefix)
        if seekable:
            src.seek(start)  # read the file directly: one less copy per chunk
        else:
            raw = _Prefixed(prefix, source)
            source = cast(BinaryIO, io.BufferedReader(raw, 256 * 1024))
    if armored:
        source = cast(BinaryIO, io.BufferedReader(ArmorReader(source)))
    header = parse_header(source)
    file_key = _file_key(header, identities)
    reader = StreamReader(source, payload_key(file_key, _read_nonce(source)))
    return cast(BinaryIO, reader)


def open_random_access(src: IO[bytes], identities: Sequence[Identity]) -> BinaryIO:
    """Open a binary age file in a seekable ``src`` for reading any range.

    The result (a :class:`RandomAccessReader`) is readable and seekable, with the
    plaintext length in ``.size``; it decrypts and authenticates only the 64 KiB chunks
    a read touches (and the final chunk, at once, so truncation is found on opening).
    """
    start = src.tell()
    prefix = src.read(_SNIFF) or b""
    src.seek(start)
    if looks_armored(prefix):
        raise ArmorError(
            "this file is in age's text (armored) form; recordpack bundles are binary",
            hint="Ask the sender for the .rpk file exactly as recordpack made it, or decrypt "
            "it with the age tool: age -d -i KEYFILE FILE > bundle.zip, then unzip.",
        )
    source = cast(BinaryIO, src)
    header = parse_header(source)
    file_key = _file_key(header, identities)
    nonce = _read_nonce(source)
    return cast(BinaryIO, RandomAccessReader(source, payload_key(file_key, nonce), source.tell()))


def encrypt(data: bytes, recipients: Sequence[Recipient], armor: bool = False) -> bytes:
    """Encrypt bytes in memory (small data; use ``encrypt_writer`` for files)."""
    out = io.BytesIO()
    with encrypt_writer(out, recipients, armor=armor) as writer:
        writer.write(data)
    return out.getvalue()


def decrypt(data: bytes, identities: Sequence[Identity]) -> bytes:
    """Decrypt bytes in memory (small data; use ``decrypt_reader`` for files)."""
    return decrypt_reader(io.BytesIO(data), identities).read()
