"""Errors of the age layer, each with a hint a patient or specialist can act on."""

from __future__ import annotations

from recordpack.errors import AgeError

__all__ = [
    "AgeError",
    "AgeKeyError",
    "ArmorError",
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
