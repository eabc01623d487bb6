"""The X25519 recipient type: ``age1...`` public keys, ``AGE-SECRET-KEY-1...`` secret keys."""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from recordpack.age import bech32
from recordpack.age.errors import AgeKeyError, HeaderError
from recordpack.age.format import Stanza, b64decode, b64encode
from recordpack.age.primitives import FILE_KEY_SIZE, hkdf, unwrap_file_key, wrap_file_key

STANZA_TYPE = "X25519"
RECIPIENT_HRP = "age"
IDENTITY_HRP = "AGE-SECRET-KEY-"
_INFO = b"age-encryption.org/v1/X25519"
_KEY_SIZE = 32
_WRAPPED_SIZE = FILE_KEY_SIZE + 16


def _raw(public: X25519PublicKey) -> bytes:
    return public.public_bytes_raw()


class X25519Recipient:
    """An X25519 public key (``age1...``)."""

    def __init__(self, public_key: bytes) -> None:
        if len(public_key) != _KEY_SIZE:
            raise AgeKeyError(f"an X25519 public key has {_KEY_SIZE} bytes, not {len(public_key)}")
        self._public = X25519PublicKey.from_public_bytes(public_key)
        self._bytes = public_key

    @classmethod
    def parse(cls, text: str) -> X25519Recipient:
        """Parse an ``age1...`` string."""
        try:
            hrp, data = bech32.decode(text)
        except bech32.Bech32Error as error:
            raise AgeKeyError(f"not a valid age public key ({error})") from None
        if hrp != RECIPIENT_HRP:
            raise AgeKeyError("not an age X25519 public key (it should start with 'age1')")
        return cls(data)

    def __str__(self) -> str:
        return bech32.encode(RECIPIENT_HRP, self._bytes)

    def __repr__(self) -> str:
        return f"X25519Recipient({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, X25519Recipient) and other._bytes == self._bytes

    def __hash__(self) -> int:
        return hash(self._bytes)

    def wrap(self, file_key: bytes) -> list[Stanza]:
        """One ``X25519`` stanza holding the file key for this public key."""
        ephemeral = X25519PrivateKey.generate()
        share = _raw(ephemeral.public_key())
        shared = ephemeral.exchange(self._public)
        key = hkdf(shared, share + self._bytes, _INFO)
        return [Stanza(STANZA_TYPE, (b64encode(share),), wrap_file_key(key, file_key))]


class X25519Identity:
    """An X25519 secret key (``AGE-SECRET-KEY-1...``)."""

    def __init__(self, secret_key: bytes) -> None:
        if len(secret_key) != _KEY_SIZE:
            raise AgeKeyError(f"an X25519 secret key has {_KEY_SIZE} bytes, not {len(secret_key)}")
        self._private = X25519PrivateKey.from_private_bytes(secret_key)
        self._bytes = secret_key
        self._public_bytes = _raw(self._private.public_key())

    @classmethod
    def generate(cls) -> X25519Identity:
        """A new random identity."""
        return cls(X25519PrivateKey.generate().private_bytes_raw())

    @classmethod
    def parse(cls, text: str) -> X25519Identity:
        """Parse an ``AGE-SECRET-KEY-1...`` string."""
        try:
            hrp, data = bech32.decode(text)
        except bech32.Bech32Error as error:
            raise AgeKeyError(f"not a valid age secret key ({error})") from None
        if hrp != IDENTITY_HRP.lower():
            raise AgeKeyError(
                "not an age X25519 secret key (it should start with AGE-SECRET-KEY-1)"
            )
        return cls(data)

    def recipient(self) -> X25519Recipient:
        """The public key to give to senders."""
        return X25519Recipient(self._public_bytes)

    def __str__(self) -> str:
        return bech32.encode(IDENTITY_HRP, self._bytes)

    def __repr__(self) -> str:
        # Never show the secret in logs or tracebacks.
        return f"X25519Identity(recipient={str(self.recipient())!r})"

    def unwrap(self, stanzas: Sequence[Stanza]) -> bytes | None:
        """The file key from the first ``X25519`` stanza addressed to this key, if any."""
        for stanza in stanzas:
            if stanza.type != STANZA_TYPE:
                continue
            if len(stanza.args) != 1:
                raise HeaderError("an X25519 recipient in the file header has the wrong arguments")
            share = b64decode(stanza.args[0], "X25519 share")
            if len(share) != _KEY_SIZE:
                raise HeaderError("an X25519 recipient in the file header has a malformed share")
            if len(stanza.body) != _WRAPPED_SIZE:
                raise HeaderError("an X25519 recipient in the file header has a malformed body")
            try:
                shared = self._private.exchange(X25519PublicKey.from_public_bytes(share))
            except ValueError:
                # An all-zero shared secret (low-order share): forbidden by the spec.
                raise HeaderError("an X25519 recipient in the file header is invalid") from None
            key = hkdf(shared, share + self._public_bytes, _INFO)
            file_key = unwrap_file_key(key, stanza.body)
            if file_key is not None:
                return file_key
        return None
