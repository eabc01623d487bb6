"""Errors of the age layer, each with a hint a patient or specialist can act on."""

from __future__ import annotations

from pathlib import Path

from recordpack.errors import AgeError

__all__ = [
    "AgeError",
    "AgeKeyError",
    "ArmorError",
    "EncryptedKeyFileError",
    "HeaderError",
    "HeaderMACError",
    "NoIdentityMatchError",
    "PayloadError",
    "WrongPassphraseError",
]


class AgeKeyError(AgeError):
    """A key, key file or recipient string is malformed or cannot be used."""

    default_hint = (
        "An age public key starts with 'age1' and a secret key with 'AGE-SECRET-KEY-1'; "
        "check that it was copied whole, without extra characters."
    )


class EncryptedKeyFileError(AgeKeyError):
    """A file given as a key file is itself age-encrypted: a bundle, or a key file
    protected by a passphrase."""

    code = "key_file_encrypted"

    def __init__(
        self, path: Path, *, is_bundle: bool = False, passphrase_bundle: bool = False
    ) -> None:
        if is_bundle:
            message = f"{path} is the bundle itself (an age-encrypted file), not a key file"
        else:
            message = f"{path} is an age-encrypted file, not a key file"
        if passphrase_bundle:
            hint = "This bundle is protected by a passphrase: give the passphrase, not a key file."
        else:
            hint = (
                "Give the secret key file that opens the bundle (its key starts with "
                "AGE-SECRET-KEY-1). A key file protected by a passphrase must be decrypted "
                f"first: age -d -o key.txt {path.name}"
            )
        super().__init__(message, hint=hint)
        self.path = path
        self.is_bundle = is_bundle
        self.passphrase_bundle = passphrase_bundle
        #: How the user named the file, set by a front door for its wording (``-i``...).
        self.given_as: str | None = None


class NoIdentityMatchError(AgeError):
    """None of the given keys can open the file."""

    default_hint = (
        "Check that you used the key file whose public key you gave to the sender, "
        "or ask them to encrypt it again to your key."
    )


class WrongPassphraseError(NoIdentityMatchError):
    """The file is protected by a passphrase and the one given is not it."""

    default_hint = "Check the passphrase (capital letters, spaces) and try again."


class HeaderError(AgeError):
    """The age header is damaged or not in a form this program accepts."""

    default_hint = (
        "The start of the file is damaged or this is not an age-encrypted file. "
        "Ask the sender for a new copy."
    )


class HeaderMACError(HeaderError):
    """The header's authentication code does not match: it was altered."""


class PayloadError(AgeError):
    """The encrypted content is truncated or was altered."""

    default_hint = (
        "The file is incomplete or was changed after it was encrypted (an interrupted "
        "download or copy?). Ask the sender for a new copy; nothing from the damaged part "
        "was used."
    )


class ArmorError(AgeError):
    """The ASCII-armored (text) form of an age file is damaged."""

    default_hint = (
        "The text between '-----BEGIN AGE ENCRYPTED FILE-----' and "
        "'-----END AGE ENCRYPTED FILE-----' was changed (extra spaces, reflowed lines, "
        "a mail program's edits?). Ask the sender to send it again as an attachment."
    )
