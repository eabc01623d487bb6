"""Shared set-up for the web app's tests: a private home, data folder and sample folder."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import time
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

# Starlette suggests another HTTP client; httpx is the one installed.
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from recordpack.web.app import WebApp, create_app
from recordpack.web.security import Secrets

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "sample-patient"
PORT = 48123
ORIGIN = f"http://127.0.0.1:{PORT}"
#: The file in the sample folder that belongs to someone else (examples/README.md).
STRANGER = "Downloads/report(4).pdf"


@dataclass
class Home:
    """A person's home folder for a test: records copied in, choices kept apart."""

    home: Path
    records: Path
    data: Path


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Home:
    home = tmp_path / "home"
    records = home / "My records"
    shutil.copytree(SAMPLE, records)
    data = tmp_path / "data"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("RECORDPACK_DATA_DIR", str(data))
    return Home(home, records, data)


def tree_digest(folder: Path) -> str:
    """One digest of every name, size, content and modification time under ``folder``."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        info = path.lstat()
        digest.update(os.fsencode(str(path.relative_to(folder))))
        digest.update(f"{info.st_size}:{info.st_mtime_ns}".encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


class Client:
    """A signed-in test client that also knows the page's CSRF token."""

    def __init__(self, app: object, web: WebApp, secrets: Secrets) -> None:
        self.http = TestClient(app, base_url=ORIGIN, follow_redirects=True)  # type: ignore[arg-type]
        self.web = web
        self.secrets = secrets
        answer = self.http.get("/", params={"token": secrets.token})
        assert answer.status_code == 200

    def post(self, path: str, data: Mapping[str, object] | None = None, **kwargs: object) -> object:
        """POST a form as the current page sends it (its CSRF token, reading and checklist,
        and on the pack and open pages the files they show as chosen)."""
        session = self.web.session
        current = {"reading": session.reading, "checklist": session.manifest or ""}
        chosen = {"/pack": session.pack_choice, "/open": session.open_choice}.get(path)
        if chosen is not None:
            current["chosen"] = chosen
        form = {"csrf": self.secrets.csrf, **current, **(data or {})}
        return self.http.post(path, data=form, headers={"origin": ORIGIN}, **kwargs)

    def wait(self, job_id: str | None = None, timeout: float = 60) -> str:
        """Wait for a job (the latest scan, pack or open) to finish; returns its state."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ids = [job_id] if job_id else []
            session = self.web.session
            ids += [i for i in (session.open_job, session.pack_job, session.scan_job) if i]
            job = self.web.jobs.get(ids[0]) if ids else None
            if job is not None and job.state != "running":
                return job.state
            time.sleep(0.05)
        raise AssertionError("the job did not finish in time")


def client(folder: Path | None = None) -> Client:
    secrets = Secrets(port=PORT)
    app, web = create_app(secrets, folder)
    return Client(app, web, secrets)


def text_of(html: str) -> str:
    """What a person reads: the page without tags, entities decoded, spaces collapsed."""
    import html as html_module

    inline = re.sub(r"</?(?:strong|em|span|a|code|label)\b[^>]*>", "", html)
    return re.sub(r"\s+", " ", html_module.unescape(re.sub(r"<[^>]+>", " ", inline))).strip()


@pytest.fixture
def signed_in(home: Home) -> Iterator[Client]:
    yield client()


def job_id_from(url: str) -> str:
    match = re.search(r"/jobs/([\w-]+)", url)
    assert match, url
    return match.group(1)


#: A second stranger's lab report added to the sample folder (an invented patient).
SECOND_STRANGER = "Downloads/labs_2026-11-20.txt"
#: A consult note whose name hides ".exe" behind a right-to-left override.
BIDI_NAME = "Harbor Oncology/Consult \u202etxt.exe\u202c 2026-11-01.txt"


def add_second_stranger(records: Path) -> str:
    """Put a second person's lab report into ``records``; returns its path in the folder."""
    (records / SECOND_STRANGER).write_text(
        "CITY LAB SERVICES\nLABORATORY RESULTS\n\n"
        "PATIENT: QUILLBY, ROSAMUND K\nDOB: 07/02/1949\nMRN: CLS-5521\nCollected: 11/20/2026\n\n"
        "TEST                RESULT     UNITS       REFERENCE RANGE\n"
        "WBC                 6.1        x10^3/uL    4.0-11.0\n"
        "Hemoglobin          11.2       g/dL        12.0-16.0\n"
        "Platelets           210        x10^3/uL    150-400\n"
    )
    return SECOND_STRANGER


def add_bidi_named_note(records: Path) -> str:
    """Put the patient's consult note under a name with bidi controls; returns its path."""
    note = records / "Harbor Oncology" / "Consult note 2026-10-28.txt"
    (records / BIDI_NAME).write_bytes(note.read_bytes() + b"\nAddendum: none.\n")
    return BIDI_NAME
