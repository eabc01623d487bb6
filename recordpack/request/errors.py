"""Errors of the records-request steps, each with a stable code front doors word."""

from __future__ import annotations

from recordpack.errors import UsageError


class RequestError(UsageError):
    """A records-request step cannot work as asked (exit status 2)."""

    code = "request"

    def __init__(self, message: str, *, code: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.code = code


#: Codes of :class:`RequestError`.
UNKNOWN_JURISDICTION = "unknown_jurisdiction"
LETTERS_INSIDE_FOLDER = "letters_inside_folder"
LETTERS_OF_ANOTHER_FOLDER = "letters_of_another_folder"
REQUEST_NOT_FOUND = "request_not_found"
REQUEST_CLOSED = "request_closed"
