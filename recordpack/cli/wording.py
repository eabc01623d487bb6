"""How the command line words the library's errors: the only place they meet option names.

The library raises errors with a ``code`` and plain words for any front door;
where a command-line user needs to hear which option to type, the wording
comes from these tables.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Final

from recordpack.display import printable as display_printable
from recordpack.errors import RecordpackError

if TYPE_CHECKING:
    from recordpack.checking import CheckReport
    from recordpack.workflow import GateDecision, Prepared

#: code -> the message a command-line user reads (str.format over the error's attributes).
MESSAGES: Final[dict[str, str]] = {
    "no_recipient": "say who may open the bundle",
    "passphrase_with_keys": (
        "a passphrase cannot be combined with --to/--to-file (the age format allows a "
        "passphrase only on its own)"
    ),
    "passphrase_given_twice": (
        "give the passphrase one way only (--passphrase, --passphrase-file or --passphrase-env)"
    ),
    "exclusion_outside": "--exclude {pattern}: this is not inside {folder}",
    "exclusion_matches_nothing": "--exclude {pattern} matches no record in {folder}",
}

#: code -> the hint a command-line user reads.
HINTS: Final[dict[str, str]] = {
    "no_recipient": (
        "Use --to age1... (the specialist's public key), --to-file FILE, or --passphrase."
    ),
    "exclusion_matches_nothing": (
        "Give a path relative to the folder (as `recordpack scan` shows it), "
        "or a pattern like '*.txt'."
    ),
    "destination_exists": "Choose another name, or add --force to replace it.",
    "letters_inside_folder": (
        "recordpack never writes into the records folder: choose another, e.g. -o ~/letters."
    ),
    "letters_of_another_folder": (
        "Write each patient's letters into a folder of their own, e.g. -o letters/PATIENT-NAME."
    ),
    "request_not_found": (
        "Give the path of a letter 'recordpack request' wrote (the .pdf or .txt), "
        "or its id from 'recordpack requests'."
    ),
    "request_closed": "See 'recordpack requests --all'.",
}


def _no_key_hint(error: RecordpackError) -> str:
    if getattr(error, "passphrase_bundle", False):
        return "this bundle is protected by a passphrase: use --passphrase-file or --passphrase-env"
    return "give your age key file with -i KEYFILE (made with 'recordpack keygen' or age-keygen)"


def _encrypted_key_message(error: RecordpackError) -> str:
    given, path = getattr(error, "given_as", None) or "-i", getattr(error, "path", "")
    what = "the bundle itself, " if getattr(error, "is_bundle", False) else ""
    return f"the file given to {given}, {path}, is {what}an age-encrypted file, not a key"


def _encrypted_key_hint(error: RecordpackError) -> str:
    if getattr(error, "passphrase_bundle", False):
        return (
            "This bundle is protected by a passphrase, not a key: leave out -i and give the "
            "passphrase with --passphrase-file or --passphrase-env (or type it when asked)."
        )
    key = (
        "the secret key file that opens the bundle (it starts with AGE-SECRET-KEY-1; "
        "'recordpack keygen' or age-keygen made it)"
    )
    if getattr(error, "is_bundle", False):
        return f"Name the bundle once, as the first argument, and give with -i {key}."
    name = getattr(getattr(error, "path", None), "name", "FILE")
    return (
        f"-i takes {key}. If this is your key file protected by a passphrase, decrypt it "
        f"first (age -d -o key.txt {name}) and give -i key.txt."
    )


#: code -> a message that depends on the error's data.
MESSAGE_MAKERS: Final[dict[str, Callable[[RecordpackError], str]]] = {
    "key_file_encrypted": _encrypted_key_message,
}

#: code -> a hint that depends on the error's data.
HINT_MAKERS: Final[dict[str, Callable[[RecordpackError], str]]] = {
    "no_key": _no_key_hint,
    "key_file_encrypted": _encrypted_key_hint,
}


def error_message(error: RecordpackError) -> str:
    """The message for a command-line user."""
    maker = MESSAGE_MAKERS.get(error.code)
    if maker is not None:
        return maker(error)
    template = MESSAGES.get(error.code)
    return template.format(**vars(error)) if template else error.message


def error_hint(error: RecordpackError) -> str | None:
    """The hint for a command-line user, naming options where that helps."""
    maker = HINT_MAKERS.get(error.code)
    if maker is not None:
        return maker(error)
    return HINTS.get(error.code, error.hint)


def printable(text: str) -> str:
    """Names that are not UTF-8 print as ``\\xHH``; bidi and control characters as escapes."""
    return "\n".join(display_printable(line) for line in text.split("\n"))


#: Gate refusal code -> why nothing was packed, and which option would change that.
REFUSALS: Final[dict[str, str]] = {
    "other_patient": (
        "some records seem to belong to another person (take them out with --exclude, or add "
        "--accept-other-patient if they are the patient's after all)"
    ),
    "incomplete": (
        "something required is missing or needs attention (add --accept-incomplete to send anyway)"
    ),
    "empty": "there is no record to pack in {folder} (a bundle with no record is never made)",
}


def refusal_reasons(decision: GateDecision, prepared: Prepared) -> list[str]:
    """Why the gate refused, in the command line's words."""
    return [REFUSALS[code].format(folder=prepared.folder) for code in decision.refused]


def check_step_command(step: str, report: CheckReport, /, **params: str) -> list[str] | None:
    """The command a terminal user copies for one of check's next steps."""
    from recordpack.check_words import (
        STEP_CHECK_AGAIN,
        STEP_CONFIRM_KINDS,
        STEP_FILE_AS,
        STEP_PACK,
        STEP_REQUEST_LETTERS,
    )
    from recordpack.findings import R_UNSURE_KIND

    folder, manifest = str(report.root), report.manifest.name
    labels = dict.fromkeys(
        f"--label={r.files[0]}={r.params['kind']}"
        for r in report.results
        if r.reason == R_UNSURE_KIND and r.files
    )
    commands: dict[str, list[str]] = {
        STEP_CHECK_AGAIN: ["recordpack", "check", folder, "-m", manifest],
        STEP_CONFIRM_KINDS: ["recordpack", "check", folder, "-m", manifest, *labels],
        STEP_REQUEST_LETTERS: [
            "recordpack", "request", folder, "-m", manifest, "-o", "request-letters",
        ],
        STEP_PACK: ["recordpack", "pack", folder],
    }
    if "path" in params and "kind" in params:
        label = f"--label={params['path']}={params['kind']}"
        commands[STEP_FILE_AS] = ["recordpack", "check", folder, "-m", manifest, label]
    return commands.get(step)
