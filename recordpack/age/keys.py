"""Key strings and key files in age's own formats, so age-keygen keys work as they are."""

from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path

from recordpack.age import pq
from recordpack.age.base import Recipient
from recordpack.age.errors import AgeKeyError, EncryptedKeyFileError
from recordpack.age.x25519 import X25519Identity, X25519Recipient
from recordpack.bundle.leftovers import WRITE, LeftoverReport, sweep, temporary_file

# Key files are a few lines; anything much larger is not a key file.
_MAX_KEY_FILE = 1024 * 1024

AnyIdentity = X25519Identity | pq.MLKEM768X25519Identity


def parse_recipient(text: str) -> Recipient:
    """Parse a public key: ``age1...`` (X25519) or ``age1pq1...`` (post-quantum)."""
    text = text.strip()
    lower = text.lower()
    if lower.startswith("age1pq1"):
        return pq.MLKEM768X25519Recipient.parse(text)
    if lower.startswith("age1") and lower.rfind("1") > 3:
        raise AgeKeyError(
            f"{text[:20]}... is an age plugin key, which recordpack does not support",
            hint="Ask the specialist for an ordinary age1... key (made by age-keygen or recordpack keygen).",
        )
    if lower.startswith("age1"):
        return X25519Recipient.parse(text)
    if text.startswith(("ssh-", "ecdsa-")):
        raise AgeKeyError(
            "SSH keys are not supported as recipients",
            hint="Ask the specialist for an age1... key (made by age-keygen or recordpack keygen).",
        )
    if text.startswith("AGE-SECRET-KEY-"):
        raise AgeKeyError(
            "this is a secret key, not a public key",
            hint="Never send or share a secret key. Use the 'public key: age1...' line instead.",
        )
    raise AgeKeyError("this is not an age public key (it should start with 'age1')")


def parse_identity(text: str) -> AnyIdentity:
    """Parse a secret key: ``AGE-SECRET-KEY-1...`` or ``AGE-SECRET-KEY-PQ-1...``."""
    text = text.strip()
    upper = text.upper()
    if upper.startswith("AGE-SECRET-KEY-PQ-1"):
        return pq.MLKEM768X25519Identity.parse(text)
    if upper.startswith("AGE-SECRET-KEY-1"):
        return X25519Identity.parse(text)
    if upper.startswith("AGE-PLUGIN-"):
        raise AgeKeyError("age plugin keys are not supported by recordpack")
    raise AgeKeyError("this is not an age secret key (it should start with AGE-SECRET-KEY-1)")


def _lines(path: str | os.PathLike[str], what: str) -> list[tuple[int, str]]:
    file = Path(path)
    try:
        with file.open("rb") as handle:
            raw = handle.read(_MAX_KEY_FILE + 1)
    except FileNotFoundError:
        raise AgeKeyError(f"{file}: no such {what} file", hint="Check the file name.") from None
    except IsADirectoryError:
        raise AgeKeyError(f"{file} is a folder, not a {what} file") from None
    except OSError as error:
        raise AgeKeyError(f"{file}: cannot read the {what} file ({error.strerror})") from None
    if len(raw) > _MAX_KEY_FILE:
        raise AgeKeyError(f"{file} is too large to be a {what} file")
    if raw.startswith(b"age-encryption.org/") or b"-----BEGIN AGE ENCRYPTED FILE-----" in raw:
        if what == "key":
            raise EncryptedKeyFileError(file)
        raise AgeKeyError(
            f"{file} is an age-encrypted file, not a {what} file",
            hint="Give a file of public keys (age1...), one a line.",
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise AgeKeyError(f"{file} is not a text {what} file") from None
    return [
        (number, line.strip())
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]


def load_identities(path: str | os.PathLike[str]) -> list[AnyIdentity]:
    """Secret keys from a key file (age-keygen's format: ``#`` comments, one key a line)."""
    identities: list[AnyIdentity] = []
    for number, line in _lines(path, "key"):
        try:
            identities.append(parse_identity(line))
        except AgeKeyError as error:
            # Never repeat the line itself: it may be a slightly damaged secret key.
            hint = error.hint
            if line.lower().startswith("age1"):
                hint = (
                    "This is a public key file; you need the secret key file (AGE-SECRET-KEY-1...)."
                )
            raise AgeKeyError(f"{path}, line {number}: {error.message}", hint=hint) from None
    if not identities:
        raise AgeKeyError(
            f"{path} contains no secret key",
            hint="Use the file age-keygen or recordpack keygen wrote.",
        )
    return identities


def load_recipients(path: str | os.PathLike[str]) -> list[Recipient]:
    """Public keys from a recipients file: one ``age1...`` a line, ``#`` comments."""
    recipients: list[Recipient] = []
    for number, line in _lines(path, "recipients"):
        try:
            recipients.append(parse_recipient(line))
        except AgeKeyError as error:
            raise AgeKeyError(f"{path}, line {number}: {error.message}", hint=error.hint) from None
    if not recipients:
        raise AgeKeyError(f"{path} contains no public key")
    return recipients


def _rfc3339(moment: _dt.datetime) -> str:
    text = moment.replace(microsecond=0).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def format_identity_file(identity: AnyIdentity, created: _dt.datetime | None = None) -> str:
    """The text of a key file exactly as age-keygen writes it."""
    moment = created if created is not None else _dt.datetime.now().astimezone()
    return f"# created: {_rfc3339(moment)}\n# public key: {identity.recipient()}\n{identity}\n"


def write_identity_file(path: str | os.PathLike[str], identity: AnyIdentity) -> Path:
    """Write a new key file readable only by its owner; never replaces an existing file.

    Returns its path; see :func:`write_key_file` for how it is written.
    """
    write_key_file(path, identity)
    return Path(path)


def write_key_file(path: str | os.PathLike[str], identity: AnyIdentity) -> LeftoverReport:
    """Write a new key file readable only by its owner; never replaces an existing file.

    The key is written to a 0600 temporary file in the same folder and then hard-linked
    to its name, which fails if the name exists: no moment where a partial or
    world-readable key file exists under the final name. The temporary is named as
    every file recordpack writes whole (``.NAME.recordpack-tmp-PID-RANDOM-CHECK.tmp``):
    a keygen killed outright (``kill -9``, a power cut) leaves it, holding a secret key
    nobody was given the public half of, and the next keygen of that name removes it.
    Returns what that sweep removed and what it had to keep (another user's, or a
    process that may still be running).
    """
    target = Path(path)
    if target.exists() or target.is_symlink():
        raise AgeKeyError(
            f"{target} already exists; recordpack will not overwrite a key file",
            hint="Choose another file name, or move the old file away if you are sure it is not needed.",
        )
    folder = target.parent if str(target.parent) else Path(".")
    data = format_identity_file(identity).encode("ascii")
    leftovers = sweep(folder, WRITE, target.name)
    try:
        temporary, fd = temporary_file(folder, target.name, WRITE)  # mode 0600
    except FileNotFoundError:
        raise AgeKeyError(f"the folder {folder} does not exist") from None
    except OSError as error:
        raise AgeKeyError(f"cannot write in {folder} ({error.strerror})") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, target)
        except FileExistsError:
            raise AgeKeyError(
                f"{target} already exists; recordpack will not overwrite a key file"
            ) from None
        except OSError:
            # Filesystems without hard links: exclusive create, still 0600 from the start.
            try:
                out = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                raise AgeKeyError(
                    f"{target} already exists; recordpack will not overwrite a key file"
                ) from None
            with os.fdopen(out, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
    finally:
        temporary.unlink(missing_ok=True)
    return leftovers
