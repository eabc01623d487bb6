"""The post-quantum hybrid recipient type ``mlkem768x25519`` (``age1pq1...``).

HPKE with the MLKEM768-X25519 KEM, HKDF-SHA-256 and ChaCha20-Poly1305, as in
c2sp.org/age; all of it is ``cryptography``'s HPKE. The secret key is a 32-byte
seed expanded with SHAKE256 into the ML-KEM-768 seed (64 bytes) and the X25519
scalar (32 bytes). Unavailable (``SUPPORTED`` is False) with an older
``cryptography``, or one built without ML-KEM.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from recordpack.age import bech32
from recordpack.age.errors import AgeKeyError, HeaderError
from recordpack.age.format import Stanza, b64decode, b64encode
from recordpack.age.primitives import FILE_KEY_SIZE

try:
    from cryptography.hazmat.backends.openssl.backend import backend as _backend
    from cryptography.hazmat.primitives import hpke
    from cryptography.hazmat.primitives.asymmetric import mlkem

    # The modules import whenever cryptography is new enough, but ML-KEM also needs
    # the OpenSSL it is linked to (3.5 or later, or its own wheels' BoringSSL/AWS-LC):
    # a distribution's build on an older OpenSSL would raise at first use.
    SUPPORTED = bool(_backend.mlkem_supported())
except (ImportError, AttributeError):  # cryptography < 48
    SUPPORTED = False

STANZA_TYPE = "mlkem768x25519"
RECIPIENT_HRP = "age1pq"
IDENTITY_HRP = "AGE-SECRET-KEY-PQ-"
_INFO = b"age-encryption.org/mlkem768x25519"
_SEED_SIZE = 32
_MLKEM_PUBLIC_SIZE = 1184
_MLKEM_CIPHERTEXT_SIZE = 1088
_PUBLIC_SIZE = _MLKEM_PUBLIC_SIZE + 32
_ENC_SIZE = _MLKEM_CIPHERTEXT_SIZE + 32
_WRAPPED_SIZE = FILE_KEY_SIZE + 16


def _require() -> None:
    if not SUPPORTED:
        raise AgeKeyError(
            "post-quantum (mlkem768x25519) keys need a newer 'cryptography' package",
            hint="Upgrade it (pip install -U cryptography) or use an ordinary age1... key.",
        )


def _suite() -> Any:
    return hpke.Suite(hpke.KEM.MLKEM768_X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.CHACHA20_POLY1305)


class MLKEM768X25519Recipient:
    """A hybrid post-quantum public key (``age1pq1...``)."""

    def __init__(self, public_key: bytes) -> None:
        _require()
        if len(public_key) != _PUBLIC_SIZE:
            raise AgeKeyError(
                f"a post-quantum age public key has {_PUBLIC_SIZE} bytes, not {len(public_key)}"
            )
        try:
            self._public = hpke.MLKEM768X25519PublicKey(
                mlkem.MLKEM768PublicKey.from_public_bytes(public_key[:_MLKEM_PUBLIC_SIZE]),
                X25519PublicKey.from_public_bytes(public_key[_MLKEM_PUBLIC_SIZE:]),
            )
        except ValueError:
            raise AgeKeyError("this post-quantum age public key is invalid") from None
        self._bytes = public_key

    @classmethod
    def parse(cls, text: str) -> MLKEM768X25519Recipient:
        """Parse an ``age1pq1...`` string."""
        try:
            hrp, data = bech32.decode(text)
        except bech32.Bech32Error as error:
            raise AgeKeyError(f"not a valid post-quantum age public key ({error})") from None
        if hrp != RECIPIENT_HRP:
            raise AgeKeyError("not a post-quantum age public key (it should start with age1pq1)")
        return cls(data)

    def __str__(self) -> str:
        return bech32.encode(RECIPIENT_HRP, self._bytes)

    def __repr__(self) -> str:
        return f"MLKEM768X25519Recipient({str(self)[:20]!r}...)"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MLKEM768X25519Recipient) and other._bytes == self._bytes

    def __hash__(self) -> int:
        return hash(self._bytes)

    def wrap(self, file_key: bytes) -> list[Stanza]:
        """One ``mlkem768x25519`` stanza: HPKE enc as argument, sealed file key as body."""
        sealed = _suite().encrypt(file_key, self._public, info=_INFO)
        enc, body = sealed[:_ENC_SIZE], sealed[_ENC_SIZE:]
        return [Stanza(STANZA_TYPE, (b64encode(enc),), body)]


class MLKEM768X25519Identity:
    """A hybrid post-quantum secret key (``AGE-SECRET-KEY-PQ-1...``)."""

    def __init__(self, seed: bytes) -> None:
        _require()
        if len(seed) != _SEED_SIZE:
            raise AgeKeyError(
                f"a post-quantum age secret key has {_SEED_SIZE} bytes, not {len(seed)}"
            )
        shake = hashes.Hash(hashes.SHAKE256(96))
        shake.update(seed)
        expanded = shake.finalize()
        self._mlkem = mlkem.MLKEM768PrivateKey.from_seed_bytes(expanded[:64])
        self._x25519 = X25519PrivateKey.from_private_bytes(expanded[64:])
        self._private = hpke.MLKEM768X25519PrivateKey(self._mlkem, self._x25519)
        self._seed = seed

    @classmethod
    def generate(cls) -> MLKEM768X25519Identity:
        """A new random identity."""
        _require()
        return cls(os.urandom(_SEED_SIZE))

    @classmethod
    def parse(cls, text: str) -> MLKEM768X25519Identity:
        """Parse an ``AGE-SECRET-KEY-PQ-1...`` string."""
        try:
            hrp, data = bech32.decode(text)
        except bech32.Bech32Error as error:
            raise AgeKeyError(f"not a valid post-quantum age secret key ({error})") from None
        if hrp != IDENTITY_HRP.lower():
            raise AgeKeyError("not a post-quantum age secret key (AGE-SECRET-KEY-PQ-1...)")
        return cls(data)

    def recipient(self) -> MLKEM768X25519Recipient:
        """The public key to give to senders."""
        public = (
            self._mlkem.public_key().public_bytes_raw()
            + self._x25519.public_key().public_bytes_raw()
        )
        return MLKEM768X25519Recipient(public)

    def __str__(self) -> str:
        return bech32.encode(IDENTITY_HRP, self._seed)

    def __repr__(self) -> str:
        return "MLKEM768X25519Identity(...)"

    def unwrap(self, stanzas: Sequence[Stanza]) -> bytes | None:
        """The file key from the first ``mlkem768x25519`` stanza addressed to this key."""
        for stanza in stanzas:
            if stanza.type != STANZA_TYPE:
                continue
            if len(stanza.args) != 1:
                raise HeaderError(
                    "a post-quantum recipient in the file header has the wrong arguments"
                )
            enc = b64decode(stanza.args[0], "post-quantum share")
            if len(enc) != _ENC_SIZE:
                raise HeaderError(
                    "a post-quantum recipient in the file header has a malformed share"
                )
            if len(stanza.body) != _WRAPPED_SIZE:
                raise HeaderError(
                    "a post-quantum recipient in the file header has a malformed body"
                )
            try:
                # HPKE would reject it too, but as "not ours"; the spec makes a
                # low-order X25519 share a malformed header, so check it first.
                self._x25519.exchange(
                    X25519PublicKey.from_public_bytes(enc[_MLKEM_CIPHERTEXT_SIZE:])
                )
            except ValueError:
                raise HeaderError(
                    "a post-quantum recipient in the file header is invalid"
                ) from None
            try:
                file_key: bytes = _suite().decrypt(enc + stanza.body, self._private, info=_INFO)
            except InvalidTag:
                continue  # sealed to another key
            return file_key
        return None
