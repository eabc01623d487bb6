"""The scrypt recipient type: a passphrase, which must be a file's only recipient."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence

from recordpack.age.errors import AgeKeyError, HeaderError
from recordpack.age.format import Stanza, b64decode, b64encode
from recordpack.age.primitives import FILE_KEY_SIZE, unwrap_file_key, wrap_file_key

STANZA_TYPE = "scrypt"
DEFAULT_WORK_FACTOR = 18  # what age writes: about a second on a laptop
MAX_WORK_FACTOR = 22  # 2**22 * 1 KiB = 4 GiB of memory; refuse anything costlier
#: Below this (OWASP's minimum for scrypt with r=8, p=1 is N=2^17), a file opens
#: but its reader is warned: a stolen copy is cheap to guess. Not refused: the
#: copy has already travelled, refusing would not protect it, and the specialist
#: still needs the records (age's own test files use 10 to keep tests fast).
WEAK_WORK_FACTOR = 17
_LABEL = b"age-encryption.org/v1/scrypt"
_SALT_SIZE = 16
_WRAPPED_SIZE = FILE_KEY_SIZE + 16
_DECIMAL = re.compile(r"[1-9][0-9]{0,2}")


def _derive(passphrase: str, salt: bytes, work_factor: int) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt  # only for passphrases

    kdf = Scrypt(salt=_LABEL + salt, length=32, n=1 << work_factor, r=8, p=1)
    return kdf.derive(passphrase.encode("utf-8"))


def _check_passphrase(passphrase: str) -> None:
    if not isinstance(passphrase, str) or not passphrase:
        raise AgeKeyError("the passphrase is empty", hint="Type a passphrase of several words.")


class ScryptRecipient:
    """Encrypt with a passphrase (age's ``-p``)."""

    def __init__(self, passphrase: str, work_factor: int = DEFAULT_WORK_FACTOR) -> None:
        _check_passphrase(passphrase)
        if not 1 <= work_factor <= MAX_WORK_FACTOR:
            raise AgeKeyError(
                f"scrypt work factor {work_factor} is outside 1..{MAX_WORK_FACTOR}",
                hint=f"Use the default ({DEFAULT_WORK_FACTOR}).",
            )
        self._passphrase = passphrase
        self.work_factor = work_factor

    def __repr__(self) -> str:
        return f"ScryptRecipient(work_factor={self.work_factor})"

    def wrap(self, file_key: bytes) -> list[Stanza]:
        """One ``scrypt`` stanza."""
        salt = os.urandom(_SALT_SIZE)
        key = _derive(self._passphrase, salt, self.work_factor)
        args = (b64encode(salt), str(self.work_factor))
        return [Stanza(STANZA_TYPE, args, wrap_file_key(key, file_key))]


class ScryptIdentity:
    """Decrypt with a passphrase, refusing work factors above ``max_work_factor``."""

    def __init__(self, passphrase: str, max_work_factor: int = MAX_WORK_FACTOR) -> None:
        _check_passphrase(passphrase)
        self._passphrase = passphrase
        self.max_work_factor = max_work_factor
        #: The work factor of the last file header this identity opened.
        self.last_work_factor: int | None = None
        # scrypt costs up to 4 GiB and a minute: derive once per (salt, work factor),
        # however many times a bundle is opened for reading (index, then stream).
        self._derived: dict[tuple[bytes, int], bytes] = {}

    def __repr__(self) -> str:
        return f"ScryptIdentity(max_work_factor={self.max_work_factor})"

    def unwrap(self, stanzas: Sequence[Stanza]) -> bytes | None:
        """The file key if the header's scrypt stanza opens with this passphrase."""
        for stanza in stanzas:
            if stanza.type != STANZA_TYPE:
                continue
            if len(stanzas) != 1:
                raise HeaderError("a passphrase-protected file must have no other recipient")
            if len(stanza.args) != 2 or not _DECIMAL.fullmatch(stanza.args[1]):
                raise HeaderError("the passphrase recipient in the file header is malformed")
            salt = b64decode(stanza.args[0], "scrypt salt")
            if len(salt) != _SALT_SIZE:
                raise HeaderError("the passphrase recipient in the file header has a bad salt")
            work_factor = int(stanza.args[1])
            if work_factor > self.max_work_factor:
                raise HeaderError(
                    f"the passphrase on this file needs scrypt work factor {work_factor}, "
                    f"more than the {self.max_work_factor} allowed",
                    hint="Such a file would take minutes and gigabytes to open; "
                    "ask the sender to encrypt it again with a normal passphrase setting.",
                )
            if len(stanza.body) != _WRAPPED_SIZE:
                raise HeaderError("the passphrase recipient in the file header has a bad body")
            self.last_work_factor = work_factor
            key = self._derived.get((salt, work_factor))
            if key is None:
                key = _derive(self._passphrase, salt, work_factor)
                self._derived = {(salt, work_factor): key}
            return unwrap_file_key(key, stanza.body)
        return None
