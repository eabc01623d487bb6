"""CLI conventions: `-` for stdout, one output option, JSON errors, a quick --help, NO_COLOR, lint."""

from __future__ import annotations

import ast
import hashlib
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from recordpack import age
from recordpack.cli import main
from recordpack.cli.base import COMMAND_MODULES, COMMAND_SUMMARIES
from tests.pack_folder import make_patient_folder

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], env=env)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cli") / "records"
    make_patient_folder(root)
    return root


def test_pack_dash_writes_the_bundle_to_stdout_and_the_summary_to_stderr(
    folder: Path, identity: age.X25519Identity, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("pack", folder, "-o", "-", "--to", str(identity.recipient()))
    assert result.exit_code == 0, result.stderr
    assert not (tmp_path / "-").exists()
    plain = age.decrypt_reader(io.BytesIO(result.stdout_bytes), [identity]).read()
    assert plain.startswith(b"PK")  # the ZIP inside the age file
    assert "Packed" in result.stderr and "standard output" in result.stderr
    both = run("pack", folder, "-o", "-", "--to", str(identity.recipient()), "--json")
    assert both.exit_code == 2 and json.loads(both.stdout)["error"]["code"] == "usage"


def test_pack_json_gives_path_size_digest_and_packed(
    folder: Path, identity: age.X25519Identity, tmp_path: Path
) -> None:
    out = tmp_path / "b.rpk"
    result = run("pack", folder, "--output", out, "--to", str(identity.recipient()), "--json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["packed"] is True and doc["path"] == str(out)
    assert doc["size"] == out.stat().st_size
    assert doc["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()


def test_open_quiet_prints_only_the_opened_folder(
    folder: Path, identity: age.X25519Identity, tmp_path: Path
) -> None:
    bundle = tmp_path / "b.rpk"
    assert run("pack", folder, "-o", bundle, "--to", str(identity.recipient())).exit_code == 0
    key = tmp_path / "key.txt"
    age.write_identity_file(key, identity)
    result = run("open", bundle, "-i", key, "-o", tmp_path / "opened", "-q")
    assert result.exit_code == 0, result.stderr
    (line,) = result.stdout.splitlines()
    assert Path(line).parent == tmp_path / "opened" and (Path(line) / "bagit.txt").is_file()
    assert result.stderr == ""


@pytest.mark.parametrize(
    "args",
    [
        ["scan", "no-such-folder", "--json"],
        ["pack", ".", "--json"],  # -o missing
        ["check", ".", "--json", "--as-of", "soon"],
        ["scan", ".", "--json", "--no-such-option"],
    ],
)
def test_usage_errors_under_json_are_a_json_document(args: list[str]) -> None:
    result = run(*args)
    assert result.exit_code == 2
    doc = json.loads(result.stdout)
    assert doc["ok"] is False and doc["version"] == 1
    assert doc["error"]["code"] == "usage" and doc["error"]["message"]


def test_library_errors_under_json_are_a_json_document(tmp_path: Path) -> None:
    result = run("check", tmp_path, "-m", "no-such-manifest", "--json")
    assert result.exit_code == 2
    doc = json.loads(result.stdout)
    assert doc["ok"] is False and doc["error"]["code"] == "manifest"
    assert "recordpack: error:" in result.stderr  # the text is still on stderr


def test_one_spelling_for_the_output_option() -> None:
    ctx = click.Context(main)
    for name in COMMAND_MODULES:
        command = main.get_command(ctx, name)
        assert command is not None
        for param in command.params:
            if isinstance(param, click.Option) and "-o" in param.opts:
                assert param.opts == ["-o", "--output"], (name, param.opts)


def _run_loading(argv: list[str], watched: tuple[str, ...]) -> tuple[str, list[str]]:
    """Run ``recordpack ARGV`` in a fresh interpreter; its stdout, and which of
    ``watched`` it loaded (what the interpreter's start-up loaded, a site hook
    loading tempfile say, is not recordpack's)."""
    code = (
        "import sys\n"
        "before = set(sys.modules)\n"
        "from recordpack.cli import main\n"
        f"main({argv!r}, standalone_mode=False)\n"
        f"print([m for m in {watched!r} if m in set(sys.modules) - before], file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return done.stdout, ast.literal_eval(done.stderr.strip().splitlines()[-1])


def test_help_lists_commands_without_importing_them() -> None:
    """`recordpack --help` must answer at once: the scanners and classifier are not loaded."""
    out, loaded = _run_loading(
        ["--help"], ("recordpack.classify", "recordpack.scan", "pydicom", "pypdf")
    )
    assert loaded == []
    for name in COMMAND_MODULES:
        assert name in out


def test_inspect_loads_only_what_reading_an_index_needs(tmp_path: Path) -> None:
    """`recordpack inspect` answers fast: with a key file it loads neither the
    scanners, pydicom nor pypdf, nor the passphrase KDF, nor what only open needs."""
    from recordpack import pack, scan_folder

    identity = age.X25519Identity.generate()
    key = tmp_path / "key.txt"
    key.write_text(age.format_identity_file(identity))
    bundle = tmp_path / "b.rpk"
    folder = tmp_path / "records"
    make_patient_folder(folder)
    pack(scan_folder(folder), bundle, recipients=[identity.recipient()])
    out, loaded = _run_loading(
        ["inspect", str(bundle), "-i", str(key), "--json"],
        (
            "recordpack.scan",
            "recordpack.classify",
            "pydicom",
            "pypdf",
            "cryptography.hazmat.primitives.kdf.scrypt",
            "tempfile",
            "recordpack.render.text",
        ),
    )
    assert json.loads(out)["ok"] is True
    assert loaded == []


def test_a_scan_of_documents_does_not_load_pydicom(tmp_path: Path) -> None:
    """pydicom (and numpy) take a fifth of a second to load: a folder without DICOM
    files is scanned without them; one with an image loads them to read it."""
    folder = tmp_path / "records"
    shutil.copytree(ROOT / "examples" / "sample-patient" / "Harbor Oncology", folder)
    out, loaded = _run_loading(["scan", str(folder), "--json", "-q"], ("pydicom", "numpy"))
    assert json.loads(out)["records"] and loaded == []
    imaging = ROOT / "examples" / "sample-patient" / "Imaging CD - Cascade Breast Imaging"
    image = next(p for p in imaging.rglob("*") if p.is_file() and p.name.upper().startswith("IM"))
    shutil.copy(image, folder / "IM000001")
    out, loaded = _run_loading(["scan", str(folder), "--json", "-q"], ("pydicom",))
    kinds = {record["kind"] for record in json.loads(out)["records"]}
    assert "imaging_study" in kinds and loaded == ["pydicom"]


def test_command_summaries_match_each_commands_own_help() -> None:
    ctx = click.Context(main)
    assert set(COMMAND_SUMMARIES) <= set(COMMAND_MODULES)
    for name, summary in COMMAND_SUMMARIES.items():
        command = main.get_command(ctx, name)
        assert command is not None and command.help is not None
        assert command.help.strip().splitlines()[0] == summary, name


def test_no_color_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    from recordpack.cli import terminal as base

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdout", Terminal())
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert base.use_color()
    assert "\x1b[" in base.colour_headline("NOT READY TO SEND YET: 1 thing needs your attention")
    monkeypatch.setenv("NO_COLOR", "1")
    assert not base.use_color()
    assert "\x1b[" not in base.colour_headline("NOT READY TO SEND YET: 1 thing")


def test_no_cli_module_is_over_200_lines() -> None:
    for module in (ROOT / "recordpack" / "cli").glob("*.py"):
        lines = module.read_text(encoding="utf-8").count("\n")
        assert lines <= 220, f"{module.name} has {lines} lines"


def _user_facing_strings(path: Path) -> list[tuple[int, str]]:
    """String literals (f-strings too) that are not docstrings, with their line numbers."""
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def test_the_library_names_no_command_line_option() -> None:
    """Below the CLI, user-facing words never spell an option a web page's reader cannot type."""
    import re

    # ocr.py runs tesseract; html.py's README tells a specialist without recordpack how
    # bagit.py (another program) validates the bag.
    allowed = {"ocr.py", "html.py"}
    offenders = []
    for path in (ROOT / "recordpack").rglob("*.py"):
        if "cli" in path.relative_to(ROOT / "recordpack").parts or path.name in allowed:
            continue
        for number, literal in _user_facing_strings(path):
            if re.search(r"(?<![\w-])--[a-z][a-z-]+", literal):
                offenders.append(f"{path.name}:{number}: {literal}")
    assert offenders == [], "\n".join(offenders)


def test_lint_is_clean() -> None:
    import importlib.util

    from tests.prerequisites import missing

    if importlib.util.find_spec("ruff") is None:
        missing("ruff is not installed (pip install -e '.[dev]')")
    ruff = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "recordpack", "tests"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert ruff.returncode == 0, ruff.stdout + ruff.stderr


def test_scan_modules_import_no_cycle() -> None:
    """archive.py once imported the walker that lists it among the scanners."""
    import ast

    scan_dir = ROOT / "recordpack" / "scan"
    graph: dict[str, set[str]] = {}
    for path in scan_dir.glob("*.py"):
        imported: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                if node.module == "recordpack.scan":
                    imported |= {alias.name for alias in node.names}
                elif node.module.startswith("recordpack.scan."):
                    imported.add(node.module.rsplit(".", 1)[1])
        graph[path.stem] = imported & {p.stem for p in scan_dir.glob("*.py")}

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in graph.get(start, set()):
            if nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})):
                return True
        return False

    cycles = [m for m in graph if m != "__init__" and reaches(m, m, {m})]
    assert cycles == [], cycles


def test_ctrl_c_cancels_and_interrupts_at_once() -> None:
    """The first Ctrl-C stops the command (a stuck file has no progress point to wait for)."""
    import os
    import signal

    from recordpack.cli.terminal import interruptible

    with pytest.raises(KeyboardInterrupt), interruptible() as token:
        os.kill(os.getpid(), signal.SIGINT)
    assert token.cancelled
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_json_is_one_line_for_a_program_and_indented_on_a_terminal() -> None:
    """Piped, the document is one line (quick to write and to read by line);
    on a terminal a person gets it indented. Both are the same JSON."""
    import os
    import pty

    example = Path(__file__).resolve().parent.parent / "examples" / "sample-patient"
    command = [sys.executable, "-m", "recordpack", "scan", str(example), "--json", "-q"]
    piped = subprocess.run(command, capture_output=True, check=True).stdout.decode()
    assert piped.count("\n") == 1 and piped.endswith("}\n")

    leader, follower = pty.openpty()
    with subprocess.Popen(command, stdout=follower, stderr=subprocess.DEVNULL) as process:
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        process.wait()
    os.close(leader)
    on_terminal = b"".join(chunks).decode().replace("\r\n", "\n")
    assert on_terminal.count("\n") > 20 and '\n  "records": [' in on_terminal
    assert json.loads(on_terminal) == json.loads(piped)


@pytest.mark.parametrize(
    "args",
    [
        ["check", ".", "--as-of", "31/12/2026"],
        ["pack", ".", "-o", "x.rpk", "--to", "age1x", "--as-of", "31/12/2026"],
        ["batch", "roster.csv", "-o", "out", "--as-of", "31/12/2026"],
        ["log", "--since", "31/12/2026"],
        ["request", ".", "--on", "31/12/2026"],
    ],
)
def test_every_date_option_refuses_a_bad_date_the_same_way(args: list[str]) -> None:
    """One parser for --as-of, --since and --on: the option named, the form to use."""
    result = run(*args)
    assert result.exit_code == 2
    option = next(a for a in args if a.startswith("--") and a != "--to")
    assert option in result.stderr
    assert "'31/12/2026' is not a date; write it as YYYY-MM-DD" in result.stderr


def test_a_command_collects_garbage_less_often_and_gives_the_callers_settings_back() -> None:
    """A scan or pack keeps many objects: the command raises the collector's
    thresholds while it runs, and a program calling the CLI in-process gets its
    own back, whether the command succeeds or fails."""
    import gc

    from recordpack.cli import base as cli_base

    caller = gc.get_threshold()
    try:
        gc.set_threshold(123, 4, 5)
        runner = CliRunner()
        runner.invoke(cli_base.main, ["--version"])
        assert gc.get_threshold() == (123, 4, 5)
        failed = runner.invoke(cli_base.main, ["scan", "/no/such/folder", "--json"])
        assert failed.exit_code != 0
        assert gc.get_threshold() == (123, 4, 5)
    finally:
        gc.set_threshold(*caller)
    inside = subprocess.run(
        [sys.executable, "-c",
         "import gc\nfrom recordpack.cli import base\n"
         "base.main.add_command(base.click.Command('probe', callback=lambda: print(gc.get_threshold())))\n"
         "base.main(['probe'])"],
        capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    assert inside.stdout.strip() == str(cli_base.GC_THRESHOLDS)


def test_a_command_may_start_workers_where_it_cannot_fork_and_gives_the_setting_back() -> None:
    """``recordpack ui`` runs threads, so its scans cannot fork workers: the CLI (whose
    entry points are safe to import again) lets them be started instead, and only
    while a command runs."""
    from recordpack import forking
    from recordpack.cli import base as cli_base

    assert forking.allow_started_workers(False) is False  # a library caller: not allowed
    CliRunner().invoke(cli_base.main, ["--version"])
    assert forking.allow_started_workers(False) is False  # given back
    probe = (
        "import threading\nfrom recordpack import forking\nfrom recordpack.cli import base\n"
        "def probe():\n"
        "    stop = threading.Event(); t = threading.Thread(target=stop.wait); t.start()\n"
        "    context = forking.worker_context(); stop.set(); t.join()\n"
        "    print(context.get_start_method() if context else None)\n"
        "base.main.add_command(base.click.Command('probe', callback=probe))\n"
        "if __name__ == '__main__':\n    base.main(['probe'])\n"
    )
    inside = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert inside.stdout.strip() in ("forkserver", "spawn"), inside.stderr
