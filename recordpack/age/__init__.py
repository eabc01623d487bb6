"""age v1 (c2sp.org/age) on ``cryptography``: keys, streaming and random-access decryption.

Files made here open with the standard ``age`` tool and the other way round.
"""

from recordpack.age.base import Identity, Recipient
from recordpack.age.encryption import (
    AgeWriter,
    decrypt,
    decrypt_reader,
    encrypt,
    encrypt_writer,
    open_random_access,
)
from recordpack.age.errors import (
    AgeError,
    AgeKeyError,
    ArmorError,
    EncryptedKeyFileError,
    HeaderError,
    HeaderMACError,
    NoIdentityMatchError,
    PayloadError,
    WrongPassphraseError,
)
from recordpack.age.keys import (
    format_identity_file,
    load_identities,
    load_recipients,
    parse_identity,
    parse_recipient,
    write_identity_file,
)
from recordpack.age.pq import SUPPORTED as PQ_SUPPORTED
from recordpack.age.pq import MLKEM768X25519Identity, MLKEM768X25519Recipient
from recordpack.age.scrypt import ScryptIdentity, ScryptRecipient
from recordpack.age.stream import CHUNK_SIZE, RandomAccessReader, StreamReader
from recordpack.age.x25519 import X25519Identity, X25519Recipient

__all__ = [
    "CHUNK_SIZE",
    "PQ_SUPPORTED",
    "AgeError",
    "AgeKeyError",
    "AgeWriter",
    "ArmorError",
    "EncryptedKeyFileError",
    "HeaderError",
    "HeaderMACError",
    "Identity",
    "MLKEM768X25519Identity",
    "MLKEM768X25519Recipient",
    "NoIdentityMatchError",
    "PayloadError",
    "RandomAccessReader",
    "Recipient",
    "ScryptIdentity",
    "ScryptRecipient",
    "StreamReader",
    "WrongPassphraseError",
    "X25519Identity",
    "X25519Recipient",
    "decrypt",
    "decrypt_reader",
    "encrypt",
    "encrypt_writer",
    "format_identity_file",
    "load_identities",
    "load_recipients",
    "open_random_access",
    "parse_identity",
    "parse_recipient",
    "write_identity_file",
]
