"""``count_dated_results``: a cumulative lab printout is a history by itself.

The prostate manifest wants at least two dated PSA results. Patients' portals
print one page listing every past PSA with its date; that page alone must meet
the item, while one report with one PSA value (and its collection, report and
print dates) must not. Every patient here is invented.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from recordpack.checking import check, result_dates
from recordpack.errors import ManifestError
from recordpack.manifest import load_manifest
from recordpack.model import Patient, Record, ScanResult
from recordpack.scan import parse_labels, scan_folder

AS_OF = dt.date(2026, 8, 1)
PATIENT = Patient("Mark Halloway", "1955-02-01", None)

CUMULATIVE_ONE_LINE = """CUMULATIVE LAB REPORT
Patient: Mark Halloway   DOB: 02/01/1955
Test          Units   Results
PSA, total    ng/mL   03/02/2025 4.1  09/15/2025 5.6  03/10/2026 7.9
Printed 07/20/2026
"""

CUMULATIVE_ROWS = """Laboratory results - all values
Patient: Mark Halloway   DOB: 02/01/1955
Prostate specific antigen (ng/mL)
Date          Result
03/02/2025    4.1
09/15/2025    5.6
03/10/2026    7.9

Creatinine (mg/dL)
03/10/2026    0.9
"""

CUMULATIVE_TABLE = """RESULTS TREND
Patient: Mark Halloway   DOB: 02/01/1955
Test            03/02/2025   09/15/2025   03/10/2026
Creatinine      0.8          0.9          0.9
PSA             4.1          5.6          7.9
"""

SINGLE = """LABORATORY REPORT
Patient: Mark Halloway   DOB: 02/01/1955
Collected: 03/10/2026   Received: 03/10/2026   Reported: 03/11/2026
PSA, total    7.9 ng/mL    (reference 0.0-4.0)
Printed 07/20/2026
"""


def lab(path: str, text: str, date: str | None = "2026-03-10") -> Record:
    return Record(
        kind="lab_result",
        title="Laboratory report",
        date=date,
        files=(path,),
        patient=PATIENT,
        confidence=0.9,
        format="pdf",
        text=text,
    )


def psa_history(*records: Record) -> tuple[str, str]:
    scan = ScanResult(root="records", records=records, problems=(), skipped=())
    result = check(scan, load_manifest("prostate"), as_of=AS_OF).result("psa_history")
    return result.status, result.detail


@pytest.mark.parametrize("text", [CUMULATIVE_ONE_LINE, CUMULATIVE_ROWS, CUMULATIVE_TABLE])
def test_one_cumulative_report_with_three_dated_psa_values_is_a_history(text: str) -> None:
    status, detail = psa_history(lab("labs/psa-trend.pdf", text))
    assert status == "met"
    # The patient sees what was counted: three results, first and last date.
    assert "3 dated PSA results" in detail
    assert "2025-03-02" in detail and "2026-03-10" in detail


def test_one_report_with_one_psa_value_is_not_a_history() -> None:
    # Its collection, received, report and print dates are not past results.
    status, detail = psa_history(lab("labs/psa.pdf", SINGLE))
    assert status == "incomplete"
    assert detail.startswith("Only 1 dated PSA result found")
    assert "at least 2" in detail and "printout" in detail


def test_two_separate_reports_are_a_history() -> None:
    status, _ = psa_history(
        lab("labs/psa-2025.pdf", "PSA, total 5.1 ng/mL", "2025-10-01"),
        lab("labs/psa-2026.pdf", "Prostate specific antigen 7.9 ng/mL"),
    )
    assert status == "met"


def test_dates_of_other_tests_in_a_cumulative_report_do_not_count() -> None:
    text = "Creatinine  03/02/2025 0.8  09/15/2025 0.9\nPSA, total  03/10/2026 7.9\n"
    status, _ = psa_history(lab("labs/trend.pdf", text))
    assert status == "incomplete"


def test_a_day_first_printout_is_read_day_first() -> None:
    text = "NHS Number: 943 476 5919\nPSA  ng/mL  23/02/2025 4.1  03/04/2025 5.2  10/09/2025 6.0\n"
    terms = load_manifest("prostate").requirement("psa_history").matches
    assert result_dates(text, terms) == {
        dt.date(2025, 2, 23),
        dt.date(2025, 4, 3),
        dt.date(2025, 9, 10),
    }


def test_a_scanned_cumulative_printout_meets_the_item_once_its_kind_is_confirmed(
    tmp_path: Path,
) -> None:
    """End to end: the real scanner reads the printout and check counts its dates.

    Its few words make scan unsure it is a lab result (the file's name says so):
    the item waits for the person to confirm the kind, then it is met.
    """
    (tmp_path / "psa-results.txt").write_text(CUMULATIVE_ONE_LINE, encoding="utf-8")
    scan = scan_folder(tmp_path)
    assert [r.kind for r in scan.records] == ["lab_result"]
    unsure = check(scan, load_manifest("prostate"), as_of=AS_OF).result("psa_history")
    assert unsure.status == "incomplete" and "not sure" in unsure.detail
    confirmed = scan_folder(tmp_path, corrections=parse_labels(["psa-results.txt=lab_result"]))
    result = check(confirmed, load_manifest("prostate"), as_of=AS_OF).result("psa_history")
    assert result.status == "met"


def _manifest_error(tmp_path: Path, body: str) -> ManifestError:
    path = tmp_path / "mine.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ManifestError) as caught:
        load_manifest(str(path))
    return caught.value


REQ = '[[requirement]]\nid = "psa"\ntitle = "PSA"\nkinds = ["lab_result"]\n'


def test_a_misspelt_key_is_suggested(tmp_path: Path) -> None:
    error = _manifest_error(tmp_path, REQ + "count_dated_result = true\n")
    assert "line 5" in error.message
    assert error.hint and "'count_dated_results'" in error.hint


def test_the_key_must_be_true_or_false(tmp_path: Path) -> None:
    error = _manifest_error(tmp_path, REQ + 'count_dated_results = "yes"\n')
    assert "line 5" in error.message and "true or false" in error.message


def test_the_key_needs_words_to_look_next_to(tmp_path: Path) -> None:
    error = _manifest_error(tmp_path, REQ + "count = 2\ncount_dated_results = true\n")
    assert "matches" in error.message
    assert error.hint and "matches = " in error.hint


def test_a_users_manifest_may_count_dated_results(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(
        REQ + 'matches = [["PSA"]]\ncount = 3\ncount_dated_results = true\n', encoding="utf-8"
    )
    requirement = load_manifest(str(path)).requirement("psa")
    assert requirement.count_dated_results and requirement.to_json()["count_dated_results"]


def test_a_printout_in_a_day_first_folder_is_read_day_first() -> None:
    # Scan decided from the folder that this printout's 03/04/2025 is 3 April;
    # check counts its results the same way (two dates either way, but not the same two).
    text = "PSA  ng/mL  03/04/2025 4.1  05/04/2025 5.2\n"
    terms = load_manifest("prostate").requirement("psa_history").matches
    assert result_dates(text, terms, dayfirst=True) == {dt.date(2025, 4, 3), dt.date(2025, 4, 5)}
    record = Record(**{**lab("labs/trend.pdf", text).__dict__, "date_order": "day_first"})
    scan = ScanResult(root="records", records=(record,), problems=(), skipped=())
    detail = check(scan, load_manifest("prostate"), as_of=AS_OF).result("psa_history").detail
    assert "2025-04-03 to 2025-04-05" in detail


def test_the_check_offers_the_command_that_confirms_an_unsure_kind(tmp_path: Path) -> None:
    """The next step names the file and the kind; running it makes the item met."""
    from click.testing import CliRunner

    from recordpack.cli import main

    (tmp_path / "psa-results.txt").write_text(CUMULATIVE_ONE_LINE, encoding="utf-8")
    args = ["check", str(tmp_path), "-m", "prostate", "--as-of", AS_OF.isoformat()]
    first = CliRunner().invoke(main, args)
    assert "confirm its kind and check again" in first.stdout
    assert "--label=psa-results.txt=lab_result" in first.stdout
    again = CliRunner().invoke(main, [*args, "--label=psa-results.txt=lab_result", "--json"])
    statuses = {r["id"]: r["status"] for r in json.loads(again.stdout)["requirements"]}
    assert statuses["psa_history"] == "met"
