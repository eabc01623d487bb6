"""The small set of keyed operations age builds on, all from ``cryptography``."""

from __future__ import annotations

import hmac

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

FILE_KEY_SIZE = 16
# Each wrapping key is used exactly once, so a fixed all-zero nonce is safe (age spec).
_ZERO_NONCE = bytes(12)


def hkdf(ikm: bytes, salt: bytes, info: bytes, length: int = 32) -> bytes:
    """HKDF-SHA-256."""
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm)


def header_mac(file_key: bytes, mac_input: bytes) -> bytes:
    """HMAC-SHA-256 of the header under a key derived from the file key."""
    h = crypto_hmac.HMAC(hkdf(file_key, b"", b"header"), hashes.SHA256())
    h.update(mac_input)
    return h.finalize()


def mac_matches(file_key: bytes, mac_input: bytes, mac: bytes) -> bool:
    """Constant-time check of a header MAC."""
    return hmac.compare_digest(header_mac(file_key, mac_input), mac)


def payload_key(file_key: bytes, nonce: bytes) -> bytes:
    """The STREAM key for one file, from its file key and 16-byte payload nonce."""
    return hkdf(file_key, nonce, b"payload")


def wrap_file_key(key: bytes, file_key: bytes) -> bytes:
    """Encrypt a file key under a single-use wrapping key."""
    return ChaCha20Poly1305(key).encrypt(_ZERO_NONCE, file_key, None)


def unwrap_file_key(key: bytes, body: bytes) -> bytes | None:
    """Decrypt a wrapped file key; None when the key does not fit (not ours)."""
    try:
        return ChaCha20Poly1305(key).decrypt(_ZERO_NONCE, body, None)
    except InvalidTag:
        return None
