"""One exception tree for recordpack; each error carries a user-facing hint.

The CLI turns these into a message, an optional hint line and an exit code in
one place (``recordpack.cli.base``). Library code raises them and never prints.
"""

from __future__ import annotations


class RecordpackError(Exception):
    """Root of every error recordpack raises on purpose."""

    exit_code: int = 1
    default_hint: str | None = None
    #: A stable identifier for the kind of error (for ``--json`` and front doors' wording).
    code: str = "error"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint if hint is not None else self.default_hint

    def __str__(self) -> str:
        return self.message

    def to_json(self) -> dict[str, object]:
        """The error as data: code, message, hint and exit code."""
        return {
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
            "exit_code": self.exit_code,
        }


class UsageError(RecordpackError):
    """The command was called with arguments that cannot work."""

    code = "usage"

    exit_code = 2


class InputError(RecordpackError):
    """A file or folder the user named cannot be used as given."""

    code = "input"


class ManifestError(RecordpackError):
    """A required-records manifest is malformed or unknown."""

    code = "manifest"

    exit_code = 2


class AgeError(RecordpackError):
    """An age v1 file could not be encrypted or decrypted."""

    code = "age"


class BundleError(RecordpackError):
    """A bundle could not be written, or is not a valid, intact recordpack bundle."""

    code = "bundle"


class OutputClosedError(RecordpackError):
    """The program reading recordpack's output (``-o -`` into a pipe) stopped reading."""

    code = "output_closed"
