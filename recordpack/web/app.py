"""The local web app: routes that parse a request, call the service, render a page.

No decision about records is made here: ``recordpack.web.service`` calls the
library. Pages are Jinja2 templates (autoescaped: every title, name and path in a
record is untrusted text); the only script is ``static/app.js``.
"""

from __future__ import annotations

import mimetypes
import os
import threading
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from recordpack.display import printable
from recordpack.errors import RecordpackError
from recordpack.findings import R_DOUBTED_PATIENT
from recordpack.model import KIND_TITLES, KINDS, ScanResult
from recordpack.scan.corrections import CONFIRMED
from recordpack.web import chooser as chooser_mod
from recordpack.web import decisions, freshness, service, store
from recordpack.web.jobs import CANCELLED, DONE, FAILED, Job, Jobs
from recordpack.web.security import CSRF_FIELD, CSRF_HEADER, Guard, Secrets
from recordpack.workflow import Prepared

#: Bytes read at a time when a record is sent to the browser.
CHUNK = 1024 * 1024

#: Record files shown in the browser; anything else is downloaded, never rendered.
INLINE_TYPES: dict[str, str] = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".txt": "text/plain; charset=utf-8",
}
#: Kind titles for people: the library's, with the imaging study's in plainer words.
WEB_KIND_TITLES: dict[str, str] = {
    **KIND_TITLES,
    "imaging_study": "Imaging studies (the scan images themselves)",
}
#: Kinds a person may give a document (an imaging study is made of images only).
DOCUMENT_KINDS: tuple[str, ...] = tuple(k for k in KINDS if k != "imaging_study")

#: What the specialist's page says of a warning open gave, by its code (any other
#: warning is shown in open's own words): the page a person starts with, and the
#: README, are recordpack's own whatever the bundle carried, and the page says why.
OPENED_WARNINGS: dict[str, str] = {
    "index_html_replaced": (
        "The bundle’s own index.html was not the page recordpack makes from the checked "
        "list of records: it was changed, or made by another version of recordpack. "
        "It is not shown; the index.html in the opened folder is recordpack’s own. "
        "The records themselves were all checked and are intact."
    ),
    "readme_replaced": (
        "The bundle’s own README.txt was not the one recordpack writes: it was changed, "
        "or made by another version of recordpack. Do not rely on anything it said; the "
        "README.txt in the opened folder is recordpack’s own. The records themselves "
        "were all checked and are intact."
    ),
}

#: Records shown per kind, and problems or skipped files shown, on the records page.
LIST_LIMIT = 300

#: What a page says when it is shown instead of a form sent from an out-of-date page.
OUT_OF_DATE_WORDS: dict[str, str] = {
    freshness.OTHER_READING: (
        "This page was out of date: it showed another folder (or an older reading of it). "
        "Nothing was changed; here is the current page."
    ),
    freshness.OTHER_CHECKLIST: (
        "This page was out of date: it showed your records checked against another checklist. "
        "Nothing was changed; here is the current page."
    ),
    freshness.OTHER_CHOICE: (
        "This page was out of date: another folder, bundle or key was chosen since, "
        "in another tab or window. Nothing was done; here is the current page."
    ),
}

#: The policy for a record shown as a file: nothing in it may run or load anything.
FILE_CSP = "default-src 'none'; img-src 'self'; object-src 'self'; frame-ancestors 'none'"


def place(path: Path | str) -> str:
    """A folder or file as a person finds it: "Home/..." under the home folder."""
    absolute = Path(os.path.abspath(path))
    try:
        inside = absolute.relative_to(Path.home())
    except ValueError:
        return str(absolute)
    return "Home" if inside == Path() else f"Home/{inside.as_posix()}"


class Verbatim(str):
    """Text a form sends back exactly as the server gave it (a path in a hidden field)."""


def shown(value: Any) -> Any:
    """Every value a page shows, with control and bidi characters made visible as the
    terminal shows them (``\\u202e``): a file name cannot reorder what is around it."""
    if isinstance(value, str) and not isinstance(value, (Verbatim, Markup)):
        return printable(value)
    return value


@dataclass
class Session:
    """What the one person using this app has chosen so far (kept in memory only)."""

    folder: Path | None = None
    choices: store.Choices | None = None
    #: The scanned folder (with the identity check), once a scan finished.
    prepared: Prepared | None = None
    generation: int = 0
    dropped: list[str] = field(default_factory=list)
    #: Files that were gone by the time the scan came to read them.
    vanished: list[str] = field(default_factory=list)
    scan_job: str | None = None
    manifest: str | None = None
    #: Files the person said are theirs although the check doubts it (record by record),
    #: each as the reading they were claimed on saw it.
    own: set[decisions.FileKey] = field(default_factory=set)
    accept_incomplete: bool = False
    out_dir: Path | None = None
    pack_job: str | None = None
    summary: Any = None
    pack_result: Any = None
    passphrase: str | None = None
    bundle: Path | None = None
    identity: Path | None = None
    open_job: str | None = None
    opened: Any = None
    opened_files: list[Path] = field(default_factory=list)
    letters: list[Path] = field(default_factory=list)
    letters_folder: Path | None = None
    #: What the letters step wrote: to whom, what for, and why each address.
    letters_result: Any = None

    @property
    def scan(self) -> ScanResult | None:
        return self.prepared.scan if self.prepared is not None else None

    @property
    def reading(self) -> str:
        """The stamp of the reading of the folder pages show now ("" while it is read)."""
        return freshness.reading_stamp(self.folder, self.generation, self.prepared is not None)

    @property
    def pack_choice(self) -> str:
        """The stamp of where the bundle goes, as the pack page shows it."""
        return freshness.choice_stamp(self.out_dir)

    @property
    def open_choice(self) -> str:
        """The stamp of the bundle and key, as the open page shows them."""
        return freshness.choice_stamp(self.bundle, self.identity)

    def save_choices(self) -> None:
        """Save the person's choices, each tied to the content of its file in this reading."""
        choices, prepared = self.choices, self.prepared
        if choices is None:
            return
        if prepared is not None:
            for path in choices.chosen_paths() - set(choices.contents):
                content = decisions.content_of(prepared.scan, path)
                if content:
                    choices.contents[path] = content
        store.save(choices)

    def claimed(self) -> set[str]:
        """The paths of this reading that are the very files the person said are theirs."""
        if self.prepared is None:
            return set()
        return decisions.claimed_paths(self.own, self.prepared.folder, self.prepared.scan)


class WebApp:
    """The routes and the state behind them."""

    def __init__(self, secrets_: Secrets, shutdown: Callable[[], None] = lambda: None) -> None:
        self.secrets = secrets_
        self.shutdown = shutdown
        self.session = Session()
        self.jobs = Jobs()
        self.chooser = chooser_mod.Chooser()
        self.templates = Environment(
            loader=PackageLoader("recordpack.web", "templates"),
            autoescape=select_autoescape(default=True),
            trim_blocks=True,
            lstrip_blocks=True,
            finalize=shown,
        )
        self.templates.globals.update(kind_titles=WEB_KIND_TITLES, human_size=service.human_size)
        self.templates.filters["place"] = place
        self.templates.filters["verbatim"] = Verbatim

    # ------------------------------------------------------------------ helpers

    def page(self, name: str, request: Request, status: int = 200, **context: Any) -> Response:
        template = self.templates.get_template(name)
        html = template.render(
            request=request,
            csrf=self.secrets.csrf,
            session=self.session,
            out_of_date=OUT_OF_DATE_WORDS.get(request.query_params.get("out-of-date", "")),
            **context,
        )
        return HTMLResponse(html, status_code=status)

    def problem(self, request: Request, message: str, hint: str | None, back: str) -> Response:
        return self.page("error.html", request, 400, message=message, hint=hint, back=back)

    async def posted(self, request: Request) -> FormData | None:
        """The form of a POST, or None when its CSRF token is wrong."""
        form = await request.form(max_files=1, max_fields=100_000)
        token = form.get(CSRF_FIELD)
        if not self.secrets.csrf_ok(token if isinstance(token, str) else None):
            return None
        return form

    def out_of_date(
        self, form: FormData, back: str, *, with_checklist: bool = True
    ) -> Response | None:
        """The current page, saying nothing was changed, when ``form`` came from an
        out-of-date page (another folder, an older reading, another checklist); else None."""
        session = self.session
        reason = freshness.why_out_of_date(
            form, session.reading, session.manifest, with_checklist=with_checklist
        )
        if reason is None:
            return None
        return RedirectResponse(f"{back}?out-of-date={reason}", 303)

    def start_scan(self, folder: Path) -> Job:
        session = self.session
        if session.folder != folder or session.choices is None:
            session.choices = store.load(folder)
        session.folder = folder
        session.prepared = None
        session.own = set()
        session.accept_incomplete = False
        choices = session.choices
        kinds = dict(choices.kinds)
        contents = dict(choices.contents)

        def done(result: tuple[Prepared, list[str]]) -> None:
            prepared, dropped = result
            # A file left out that has been replaced since is another file: it is back in.
            dropped += decisions.changed_since(prepared.scan, set(choices.left_out), contents)
            session.vanished = service.vanished(prepared)
            session.generation += 1  # first: no page stamped before this reading matches it
            session.prepared = prepared
            session.dropped = dropped
            if dropped:
                choices.forget(set(dropped))
                store.save(choices)

        job = self.jobs.start(
            "Finding your records",
            "files",
            "/records",
            "/choose/records",
            lambda progress, cancel: service.scan(folder, kinds, progress, cancel, contents),
            done,
        )
        session.scan_job = job.id
        return job

    def _refused(self) -> Response:
        return Response(
            "Refused: the page was out of date. Go back, reload the page and try again.",
            status_code=403,
            media_type="text/plain",
        )

    # ------------------------------------------------------------------ pages

    async def home(self, request: Request) -> Response:
        return self.page("home.html", request)

    async def choose(self, request: Request) -> Response:
        purpose = request.path_params["purpose"]
        if purpose not in chooser_mod.FILE_ENDINGS:
            return self.problem(request, "There is no such choice.", None, "/")
        at = request.query_params.get("at")
        folder = self.chooser.folder(at) if at else Path.home()
        if folder is None:
            return self.problem(
                request,
                "That folder is not one this page offered.",
                "Start again from your home folder.",
                f"/choose/{purpose}",
            )
        listing = self.chooser.list(folder, purpose)
        return self.page("chooser.html", request, purpose=purpose, listing=listing)

    async def chosen(self, request: Request) -> Response:
        form = await self.posted(request)
        if form is None:
            return self._refused()
        purpose = request.path_params["purpose"]
        entry = str(form.get("id") or "")
        if purpose in ("records", "output"):
            folder = self.chooser.folder(entry)
            if folder is None:
                return self.problem(request, "That folder is not one this page offered.", None, "/")
            if purpose == "output":
                self.session.out_dir = folder
                return RedirectResponse("/pack", 303)
            job = self.start_scan(folder)
            return RedirectResponse(f"/jobs/{job.id}", 303)
        if purpose in ("bundle", "identity"):
            file = self.chooser.file(entry)
            if file is None:
                return self.problem(request, "That file is not one this page offered.", None, "/")
            if purpose == "bundle":
                self.session.bundle = file
            else:
                self.session.identity = file
            return RedirectResponse("/open", 303)
        return self.problem(request, "There is no such choice.", None, "/")

    async def job_page(self, request: Request) -> Response:
        job = self.jobs.get(request.path_params["job"])
        if job is None:
            return self.problem(request, "This task is not known any more.", None, "/")
        if job.state == DONE:
            return RedirectResponse(job.done_url, 303)
        return self.page("progress.html", request, job=job, FAILED=FAILED, CANCELLED=CANCELLED)

    async def job_json(self, request: Request) -> Response:
        job = self.jobs.get(request.path_params["job"])
        if job is None:
            return JSONResponse({"state": "unknown"}, 404)
        return JSONResponse(job.to_json())

    async def job_cancel(self, request: Request) -> Response:
        form = await self.posted(request)
        if form is None and not self.secrets.csrf_ok(request.headers.get(CSRF_HEADER)):
            return self._refused()
        job = self.jobs.get(request.path_params["job"])
        if job is None:
            return self.problem(request, "This task is not known any more.", None, "/")
        job.cancel.cancel()
        return RedirectResponse(f"/jobs/{job.id}", 303)

    def _scan_or_redirect(self, request: Request) -> Response | None:
        """Where to go instead of a page about the scan: its progress, the chooser, or
        what to do when the folder is gone (a vanished folder's records are not shown)."""
        session = self.session
        if session.scan is None:
            job = self.jobs.get(session.scan_job or "")
            if job is not None and job.state not in (DONE,):
                # A form refused as out of date still says so on the progress page.
                reason = request.query_params.get("out-of-date", "")
                told = f"?out-of-date={reason}" if reason in OUT_OF_DATE_WORDS else ""
                return RedirectResponse(f"/jobs/{job.id}{told}", 303)
            return RedirectResponse("/choose/records", 303)
        if session.folder is not None and not session.folder.is_dir():
            return self.problem(
                request,
                f"The folder {place(session.folder)} is not there any more: "
                "it was moved or deleted after recordpack read it.",
                "If you moved or renamed it, choose it again where it is now.",
                "/choose/records",
            )
        return None

    @staticmethod
    def _shown(scan: ScanResult) -> list[tuple[str, list[tuple[int, Any]], int]]:
        """The records page's groups: each kind's first records (numbered) and how many
        more are not shown, so that a folder of thousands stays a page a browser opens."""
        groups = []
        for kind in KINDS:
            members = [(n, r) for n, r in enumerate(scan.records) if r.kind == kind]
            if members:
                groups.append((kind, members[:LIST_LIMIT], len(members) - LIST_LIMIT))
        return groups

    async def records(self, request: Request) -> Response:
        waiting = self._scan_or_redirect(request)
        if waiting is not None:
            return waiting
        session = self.session
        scan = session.scan
        assert scan is not None and session.choices is not None
        left_out = set(session.choices.left_out)
        groups = self._shown(scan)
        assert session.prepared is not None
        try:
            checked = service.check_folder(session.prepared, None, session.choices.left_out)
        except RecordpackError as error:
            return self.problem(request, error.message, error.hint, "/choose/records")
        patient = service.folder_patient(checked)
        return self.page(
            "records.html",
            request,
            scan=scan,
            groups=groups,
            kinds=DOCUMENT_KINDS,
            unsure_kind=service.UNSURE_KIND,
            confirmed_kind=CONFIRMED,
            left_out=left_out,
            patient=patient,
            problem_title=service.problem_title,
            viewable=self._viewable,
            limit=LIST_LIMIT,
        )

    @staticmethod
    def _viewable(path: str) -> bool:
        return "!" not in path and Path(path).suffix.lower() in INLINE_TYPES

    async def save_records(self, request: Request) -> Response:
        form = await self.posted(request)
        if form is None:
            return self._refused()
        session = self.session
        scan, choices = session.scan, session.choices
        if scan is None or choices is None or session.folder is None:
            return RedirectResponse("/choose/records", 303)
        stale = self.out_of_date(form, "/records", with_checklist=False)
        if stale is not None:
            return stale
        kinds_changed = False
        left_out = set(choices.left_out)
        # Only the records the page showed: one it did not show keeps its choices.
        shown = [member for _, members, _ in self._shown(scan) for member in members]
        for number, record in shown:
            first = record.files[0] if record.files else None
            if first is None:
                continue
            kind = form.get(f"kind-{number}")
            confirmed = form.get(f"sure-{number}") == "1"  # "This kind is right"
            if (
                isinstance(kind, str)
                and kind in DOCUMENT_KINDS
                and (kind != record.kind or (confirmed and record.confidence < 1.0))
            ):
                choices.kinds[first] = kind
                choices.contents.pop(first, None)  # the file as this reading saw it
                kinds_changed = True
            if form.get(f"out-{number}") == "1":
                left_out.update(record.files)
            else:
                left_out.difference_update(record.files)
        choices.left_out = sorted(left_out)
        session.save_choices()
        if kinds_changed:
            job = self.start_scan(session.folder)
            return RedirectResponse(f"/jobs/{job.id}", 303)
        return RedirectResponse("/records", 303)

    async def record_file(self, request: Request) -> Response:
        session = self.session
        scan = session.scan
        try:
            number = int(request.path_params["number"])
            generation = int(request.query_params.get("g", "-1"))
        except ValueError:
            number, generation = -1, -2
        if (
            scan is None
            or session.folder is None
            or generation != session.generation
            or not 0 <= number < len(scan.records)
        ):
            return Response("No such record. Reload the list of records.", 404)
        path = scan.records[number].files[0]
        if not self._viewable(path):
            return Response("This record cannot be shown in the browser.", 404)
        try:
            handle = os.fdopen(service.open_source_file(session.folder, path), "rb")
        except OSError:
            return Response("This file cannot be opened any more.", 404)
        return self._file_response(handle, Path(path).name)

    @staticmethod
    def _file_response(handle: BinaryIO, name: str) -> Response:
        """A record's bytes, streamed; shown only when it is a PDF, a picture or plain text."""
        suffix = Path(name).suffix.lower()
        media = INLINE_TYPES.get(suffix)
        safe_name = "".join(c for c in name if c.isalnum() or c in "._- ") or "record"
        disposition = "inline" if media else "attachment"

        def chunks() -> Iterator[bytes]:
            with handle:
                while chunk := handle.read(CHUNK):
                    yield chunk

        return StreamingResponse(
            chunks(),
            media_type=media or "application/octet-stream",
            headers={
                "content-disposition": f'{disposition}; filename="{safe_name}"',
                "content-security-policy": FILE_CSP,
            },
        )

    async def check(self, request: Request) -> Response:
        waiting = self._scan_or_redirect(request)
        if waiting is not None:
            return waiting
        session = self.session
        context: dict[str, Any] = {"report": None, "gate": None, "standing": None}
        if session.manifest:
            try:
                context = self._pack_context()
            except RecordpackError as error:
                return self.problem(request, error.message, error.hint, "/check")
        return self.page(
            "check.html",
            request,
            doubted_patient=R_DOUBTED_PATIENT,
            manifests=service.manifests(),
            report=context["report"],
            gate=context["gate"],
            standing=context["standing"],
        )

    async def choose_manifest(self, request: Request) -> Response:
        form = await self.posted(request)
        if form is None:
            return self._refused()
        stale = self.out_of_date(form, "/check", with_checklist=False)
        if stale is not None:
            return stale
        names = {m.name for m in service.manifests()}
        name = form.get("manifest")
        if name in names:
            self.session.manifest = str(name)
            self.session.accept_incomplete = False
        return RedirectResponse("/check", 303)

    async def decide(self, request: Request) -> Response:
        """The person's decision on a record that may be someone else's, or on a gap."""
        form = await self.posted(request)
        if form is None:
            return self._refused()
        session = self.session
        back = form.get("back")
        back = back if back in ("/check", "/pack", "/records") else "/check"
        stale = self.out_of_date(form, back)
        if stale is not None:
            return stale
        if session.choices is None or session.prepared is None:
            return RedirectResponse("/", 303)
        action = form.get("action")
        paths = [str(p) for p in form.getlist("path")]
        if action == "leave-out" and paths:
            session.choices.left_out = sorted(set(session.choices.left_out) | set(paths))
            session.own = {key for key in session.own if key.path not in paths}
            session.save_choices()
        elif action == "put-back" and paths:
            session.choices.left_out = sorted(set(session.choices.left_out) - set(paths))
            session.save_choices()
        elif action == "accept-other-patient" and paths:
            # Only this record's files (never every flagged one), each as this reading saw it.
            prepared = session.prepared
            session.own.update(decisions.file_key(prepared.folder, prepared.scan, p) for p in paths)
        elif action == "accept-incomplete":
            session.accept_incomplete = True
        return RedirectResponse(back, 303)

    def _pack_context(self) -> dict[str, Any]:
        """The folder checked against the chosen checklist, the gate, and where the bundle goes."""
        session = self.session
        assert session.prepared is not None and session.choices is not None
        checked = service.check_folder(session.prepared, session.manifest, session.choices.left_out)
        view = decisions.standing(checked.report, session.claimed(), session.accept_incomplete)
        gate = service.gate(checked, view.settled_identity, session.accept_incomplete)
        out_dir = session.out_dir or service.default_output(session.folder)
        return {
            "checked": checked,
            "report": checked.report,
            "gate": gate,
            "standing": view,
            "out_dir": out_dir,
        }

    async def pack_form(self, request: Request) -> Response:
        waiting = self._scan_or_redirect(request)
        if waiting is not None:
            return waiting
        if not self.session.manifest:
            return RedirectResponse("/check", 303)
        try:
            context = self._pack_context()
        except RecordpackError as error:
            return self.problem(request, error.message, error.hint, "/check")
        return self.page("pack.html", request, error=None, hint=None, **context)

    async def recipient_check(self, request: Request) -> Response:
        """Say at once whether a pasted key is a public key (JSON, for the page's script)."""
        if not self.secrets.csrf_ok(request.headers.get(CSRF_HEADER)):
            return self._refused()
        try:
            body = await request.json()
        except ValueError:
            return JSONResponse({"ok": False, "message": "not a JSON request", "hint": ""}, 400)
        text = str(body.get("key", "")) if isinstance(body, dict) else ""
        if not text.strip():
            return JSONResponse({"ok": False, "message": "", "hint": ""})
        try:
            recipient = service.parse_recipient(text)
        except RecordpackError as error:
            return JSONResponse({"ok": False, "message": error.message, "hint": error.hint or ""})
        return JSONResponse({"ok": True, "message": f"This is a public key: {recipient}"})

    async def pack_start(self, request: Request) -> Response:
        form = await self.posted(request)
        if form is None:
            return self._refused()
        session = self.session
        stale = self.out_of_date(form, "/pack")
        if stale is not None:
            return stale
        if (reason := freshness.chosen_out_of_date(form, session.pack_choice)) is not None:
            return RedirectResponse(f"/pack?out-of-date={reason}", 303)
        if session.prepared is None or session.choices is None or not session.manifest:
            return RedirectResponse("/records", 303)
        try:
            context = self._pack_context()
        except RecordpackError as error:
            return self.problem(request, error.message, error.hint, "/check")

        def again(message: str, hint: str | None = None) -> Response:
            return self.page("pack.html", request, 400, error=message, hint=hint, **context)

        gate = context["gate"]
        if session.vanished:
            return again(
                "Some files were moved or deleted while recordpack was reading your folder.",
                "Put them back, then choose the folder again.",
            )
        if service.NOTHING_TO_PACK in gate.refused:
            return again(
                "There is nothing left to send: every record was left out.",
                "Put back the records you want to send, on the checklist page.",
            )
        if not gate.allowed:
            return again(
                "The checklist found something you have not decided on yet.",
                "Answer the questions above first.",
            )
        out_dir: Path | None = context["out_dir"]
        if out_dir is None:
            return again(
                "Choose where to save the bundle: not inside the records folder.",
                "Press 'Choose another folder' below.",
            )
        if session.folder is not None and service.is_inside(out_dir, session.folder):
            return again("The bundle cannot be saved inside the records folder.")
        how = form.get("how")
        passphrase = None
        try:
            if how == "key":
                key = str(form.get("key") or "")
                upload = form.get("key_file")
                if isinstance(upload, UploadFile) and upload.filename:
                    data = await upload.read(service.MAX_KEY_FILE + 1)
                    recipients = service.recipients_from_upload(data)
                elif key.strip():
                    recipients = [service.parse_recipient(key)]
                else:
                    return again(
                        "Paste the specialist's public key (it starts with age1), "
                        "or choose the key file they sent you."
                    )
            elif how == "passphrase":
                passphrase = service.generate_passphrase()
                recipients = service.passphrase_recipients(passphrase)
            else:
                return again("Choose how the bundle will be locked: a key or a passphrase.")
        except RecordpackError as error:
            return again(error.message, error.hint)
        try:
            out_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as error:
            return again(f"The folder {out_dir} cannot be made: {error.strerror}.")
        checked = context["checked"]
        out = service.bundle_path(out_dir, checked)
        session.summary = session.pack_result = None
        session.passphrase = None

        def done(result: service.PackResult) -> None:
            session.pack_result = result
            session.summary = result.summary
            session.passphrase = passphrase

        job = self.jobs.start(
            "Packing and locking your records",
            "bytes",
            "/done",
            "/pack",
            lambda progress, cancel: service.pack_folder(
                checked, gate, out, recipients, progress, cancel
            ),
            done,
        )
        session.pack_job = job.id
        return RedirectResponse(f"/jobs/{job.id}", 303)

    async def done_page(self, request: Request) -> Response:
        if self.session.summary is None:
            return RedirectResponse("/pack", 303)
        return self.page("done.html", request, summary=self.session.summary)

    # ------------------------------------------------------------------ the specialist

    async def open_form(self, request: Request) -> Response:
        session = self.session
        needs_passphrase = (
            service.bundle_needs_passphrase(session.bundle) if session.bundle else False
        )
        return self.page(
            "open.html", request, error=None, hint=None, needs_passphrase=needs_passphrase
        )

    async def open_start(self, request: Request) -> Response:
        form = await self.posted(request)
        if form is None:
            return self._refused()
        session = self.session
        if (reason := freshness.chosen_out_of_date(form, session.open_choice)) is not None:
            return RedirectResponse(f"/open?out-of-date={reason}", 303)
        bundle = session.bundle
        passphrase = str(form.get("passphrase") or "")
        identity = session.identity
        needs_passphrase = service.bundle_needs_passphrase(bundle) if bundle else False

        def again(message: str, hint: str | None = None) -> Response:
            return self.page(
                "open.html",
                request,
                400,
                error=message,
                hint=hint,
                needs_passphrase=needs_passphrase,
            )

        if bundle is None:
            return again("First choose the bundle you received.")
        if needs_passphrase and not passphrase:
            return again("Type the passphrase the sender gave you.")
        if not needs_passphrase and identity is None:
            return again("Choose your key file (the one with AGE-SECRET-KEY-1 in it).")
        dest = service.default_open_folder(bundle)
        session.opened = None

        def done(result: Any) -> None:
            session.opened = result
            session.opened_files = []

        job = self.jobs.start(
            "Checking and opening the bundle",
            "bytes",
            "/opened",
            "/open",
            lambda progress, cancel: service.open_received(
                bundle,
                None if needs_passphrase else identity,
                passphrase if needs_passphrase else None,
                dest,
                progress,
                cancel,
            ),
            done,
        )
        session.open_job = job.id
        return RedirectResponse(f"/jobs/{job.id}", 303)

    async def opened(self, request: Request) -> Response:
        result = self.session.opened
        if result is None:
            return RedirectResponse("/open", 303)
        index = result.index
        files: list[Path] = []
        bag = Path(result.bag_dir).resolve()
        entries: list[dict[str, Any]] = []
        order = {kind: n for n, kind in enumerate(KINDS)}
        records = [r for r in index.get("records") or [] if isinstance(r, dict)]
        records.sort(
            key=lambda r: (order.get(str(r.get("kind")), len(KINDS)), str(r.get("date") or "~"))
        )
        for record in records:
            links = []
            for name in record.get("files") or []:
                target = (bag / str(name)).resolve()
                # The index is the sender's text: link only files really inside the bag.
                if bag in target.parents and target.is_file() and not target.is_symlink():
                    files.append(target)
                    links.append((len(files) - 1, target.name))
            entries.append({"record": record, "links": links})
        self.session.opened_files = files
        warnings = [OPENED_WARNINGS.get(n.code, n.message) for n in result.notices]
        return self.page(
            "opened.html", request, result=result, index=index, entries=entries, warnings=warnings
        )

    def _listed_file(self, request: Request, files: list[Path], missing: str) -> Response:
        """The file the server listed under the number in the path (never a path the browser sent)."""
        try:
            number = int(request.path_params["number"])
        except ValueError:
            number = -1
        if not 0 <= number < len(files):
            return Response(missing, 404)
        try:
            handle = files[number].open("rb")
        except OSError:
            return Response("This file cannot be opened any more.", 404)
        return self._file_response(handle, files[number].name)

    async def opened_file(self, request: Request) -> Response:
        return self._listed_file(
            request, self.session.opened_files, "No such file. Reload the index."
        )

    async def letters(self, request: Request) -> Response:
        """Write the letters that ask for the missing records, then list them."""
        form = await self.posted(request)
        if form is None:
            return self._refused()
        session = self.session
        stale = self.out_of_date(form, "/check")
        if stale is not None:
            return stale
        if session.prepared is None or not session.manifest:
            return RedirectResponse("/check", 303)
        try:
            checked = self._pack_context()["checked"]
            written = service.write_letters(checked)
        except RecordpackError as error:
            return self.problem(request, error.message, error.hint, "/check")
        session.letters_result = written
        session.letters = [letter.pdf for letter in written.letters]
        session.letters_folder = session.letters[0].parent if session.letters else None
        return RedirectResponse("/letters", 303)

    async def letters_page(self, request: Request) -> Response:
        return self.page("letters.html", request, is_slides=service.is_slides_letter)

    async def letter_file(self, request: Request) -> Response:
        return self._listed_file(
            request, self.session.letters, "No such letter. Write the letters again."
        )

    async def close(self, request: Request) -> Response:
        form = await self.posted(request)
        if form is None:
            return self._refused()
        self.jobs.cancel_all()
        response = self.page("closed.html", request)
        threading.Timer(0.2, self.shutdown).start()
        return response

    # ------------------------------------------------------------------ the app

    def routes(self) -> list[Route | Mount]:
        def r(
            path: str, handler: Callable[[Request], Awaitable[Response]], post: bool = False
        ) -> Route:
            return Route(path, handler, methods=["POST"] if post else ["GET", "HEAD"])

        static = Path(__file__).parent / "static"
        return [
            r("/", self.home),
            r("/choose/{purpose}", self.choose),
            r("/choose/{purpose}", self.chosen, post=True),
            r("/jobs/{job}", self.job_page),
            r("/jobs/{job}/cancel", self.job_cancel, post=True),
            r("/api/jobs/{job}", self.job_json),
            r("/records", self.records),
            r("/records", self.save_records, post=True),
            r("/records/{number}/file", self.record_file),
            r("/check", self.check),
            r("/check", self.choose_manifest, post=True),
            r("/decide", self.decide, post=True),
            r("/pack", self.pack_form),
            r("/pack", self.pack_start, post=True),
            r("/api/recipient", self.recipient_check, post=True),
            r("/done", self.done_page),
            r("/open", self.open_form),
            r("/open", self.open_start, post=True),
            r("/opened", self.opened),
            r("/opened/{number}/file", self.opened_file),
            r("/letters", self.letters, post=True),
            r("/letters", self.letters_page),
            r("/letters/{number}/file", self.letter_file),
            r("/close", self.close, post=True),
            Mount("/static", StaticFiles(directory=static), name="static"),
        ]


def create_app(
    secrets_: Secrets,
    folder: Path | None = None,
    shutdown: Callable[[], None] = lambda: None,
) -> tuple[Guard, WebApp]:
    """The ASGI app (behind the safety guard) and its state; scanning ``folder`` at once."""
    web = WebApp(secrets_, shutdown)
    starlette = Starlette(routes=web.routes())
    if folder is not None:
        web.start_scan(Path(os.path.abspath(folder)))
    return Guard(starlette, secrets_), web


mimetypes.add_type("text/css", ".css")
mimetypes.add_type("text/javascript", ".js")
