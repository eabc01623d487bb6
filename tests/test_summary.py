"""The specialist's first screen: case summary, timeline, FHIR index and previews.

A synthetic folder with known diagnosis, stage and biomarkers (tests/summary_folder.py)
is scanned, checked, packed and opened; what the bundle says must be exactly what
the records state, each fact pointing at the record that states it.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import shutil
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from recordpack.bundle import format as fmt
from recordpack.summary import SourcedText, build_summary
from tests import summary_folder as case


@pytest.fixture(scope="module")
def opened(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return case.pack_and_open(tmp_path_factory.mktemp("summary"))


def _summary(opened: dict[str, Any]) -> dict[str, Any]:
    summary: dict[str, Any] = opened["index"]["summary"]
    return summary


# --------------------------------------------------------------------------- what it states


def test_summary_states_exactly_the_diagnosis_and_stage_the_reports_give(
    opened: dict[str, Any],
) -> None:
    summary = _summary(opened)
    assert {(f["field"], f["value"]) for f in summary["diagnosis"]} == case.EXPECTED_DIAGNOSIS
    assert {(f["field"], f["value"]) for f in summary["stage"]} == case.EXPECTED_STAGE


def test_biomarkers_are_exactly_those_with_results_negations_kept(opened: dict[str, Any]) -> None:
    markers = {(f["marker"], f["result"], f["negative"]) for f in _summary(opened)["biomarkers"]}
    assert markers == case.EXPECTED_BIOMARKERS
    # The note mentions PD-L1 and BRCA1 without a result: neither appears.
    assert not {m for m, _, _ in markers} & {"PD-L1", "BRCA1"}


def test_tumour_markers_treatments_and_procedures(opened: dict[str, Any]) -> None:
    summary = _summary(opened)
    assert {
        (f["marker"], f["value"], f["unit"], f["date"]) for f in summary["tumor_markers"]
    } == case.EXPECTED_TUMOR_MARKERS
    assert {f["value"] for f in summary["treatments"]} == case.EXPECTED_TREATMENTS
    assert all(f["planned"] for f in summary["treatments"])
    assert {f["value"] for f in summary["procedures"]} == case.EXPECTED_PROCEDURES


def test_every_fact_points_at_its_record_and_quotes_it(opened: dict[str, Any]) -> None:
    index, bag = opened["index"], opened["bag"]
    facts = [
        f
        for key in ("diagnosis", "stage", "biomarkers", "tumor_markers", "treatments", "procedures")
        for f in _summary(opened)[key]
    ]
    assert facts
    for fact in facts:
        record = index["records"][fact["record"]]
        assert fact["path"] in record["files"]
        text = " ".join((bag / fact["path"]).read_text(encoding="utf-8").split())
        assert " ".join(fact["sentence"].split()) in text, fact


def test_timeline_lists_every_record_oldest_first(opened: dict[str, Any]) -> None:
    index = opened["index"]
    timeline = index["timeline"]
    assert sorted(e["record"] for e in timeline) == list(range(len(index["records"])))
    dates = [e["date"] for e in timeline if e["date"]]
    assert dates == sorted(dates)
    kinds = {e["kind"] for e in timeline}
    assert {"pathology_report", "imaging_study", "lab_result", "genomic_report"} <= kinds
    for entry in timeline:
        assert (opened["bag"] / entry["path"]).is_file()


# --------------------------------------------------------------------------- conservative rules


def _pydicom_file(name: str) -> str:
    """One of pydicom's own test files (installed with it; missing means a broken install)."""
    from pydicom.data import get_testdata_file

    path = get_testdata_file(name, download=False)
    if path is None:
        pytest.fail(f"pydicom's test file {name} is missing")
    return str(path)


def _facts(text: str, kind: str = "pathology_report") -> dict[str, Any]:
    return build_summary([SourcedText(0, "data/records/x.txt", kind, "2026-01-02", text)])


@pytest.mark.parametrize(
    "text",
    [
        "FINAL DIAGNOSIS\n- Benign breast tissue, negative for carcinoma.",
        "FINAL DIAGNOSIS\n- Atypical cells, suspicious for carcinoma.",
        "CLINICAL HISTORY\nHistory of lymphoma.\nFINAL DIAGNOSIS\n- Reactive lymph node.",
    ],
)
def test_a_negated_or_hedged_diagnosis_is_not_a_diagnosis(text: str) -> None:
    assert _facts(text)["diagnosis"] == []


@pytest.mark.parametrize(
    "text",
    [
        "Tissue sent for molecular testing (EGFR, ALK, ROS1) per oncology request.",
        "PD-L1 testing ordered.",
        "Will send BRCA1 and BRCA2 if the patient agrees.",
        "ER visit on arrival; PR discussed.",
    ],
)
def test_a_marker_without_a_result_is_not_shown(text: str) -> None:
    assert _facts(text)["biomarkers"] == []


def test_mri_sequence_names_are_not_a_stage() -> None:
    text = (
        "TECHNIQUE\nT2, DWI and T1 post-contrast sequences. T2-weighted images show a 1 cm lesion."
    )
    assert _facts(text, "imaging_report")["stage"] == []


def test_a_document_with_no_case_facts_yields_empty_sections() -> None:
    summary = _facts("Please bring a friend to your first appointment.", "other")
    assert all(summary[key] == [] for key in summary if key != "version")


# --------------------------------------------------------------------------- FHIR


def test_fhir_index_validates_and_points_at_real_files(opened: dict[str, Any]) -> None:
    from fhir.resources.R4B.bundle import Bundle

    bag = opened["bag"]
    raw = (bag / fmt.INDEX_FHIR).read_text(encoding="utf-8")
    Bundle.model_validate_json(raw)  # an independent R4(B) validator; raises when invalid
    document = json.loads(raw)
    assert document["resourceType"] == "Bundle" and document["type"] == "collection"
    resources = [e["resource"] for e in document["entry"]]
    by_type: dict[str, list[dict[str, Any]]] = {}
    for resource in resources:
        by_type.setdefault(resource["resourceType"], []).append(resource)
    assert by_type["Patient"][0]["name"][0]["text"].upper().startswith("QUILLFEATHER")
    index = opened["index"]
    documents = [r for r in index["records"] if not r.get("study")]
    assert len(by_type["DocumentReference"]) == len(documents)
    for reference in by_type["DocumentReference"]:
        for content in reference["content"]:
            attachment = content["attachment"]
            data = (bag / attachment["url"]).read_bytes()
            assert attachment["size"] == len(data)
            assert base64.b64decode(attachment["hash"]) == hashlib.sha1(data).digest()
            assert attachment["contentType"] == "text/plain"
    pathology = next(
        r
        for r in by_type["DocumentReference"]
        if r["type"].get("coding", [{}])[0].get("code") == "11526-1"
    )
    assert pathology["context"]["period"]["start"] == "2026-03-03"


def test_fhir_imaging_studies_name_their_uids_series_and_dicomdir(opened: dict[str, Any]) -> None:
    document = json.loads((opened["bag"] / fmt.INDEX_FHIR).read_text(encoding="utf-8"))
    studies = [
        e["resource"] for e in document["entry"] if e["resource"]["resourceType"] == "ImagingStudy"
    ]
    expected = {
        r["study"]["study_instance_uid"]: r["study"]
        for r in opened["index"]["records"]
        if r.get("study")
    }
    assert len(studies) == len(expected) == len(case.SERIES)
    for study in studies:
        uid = study["identifier"][0]["value"].removeprefix("urn:oid:")
        assert study["identifier"][0]["value"].startswith("urn:oid:")
        source = expected[uid]
        assert [
            (s["uid"], s["modality"]["code"], s["numberOfInstances"]) for s in study["series"]
        ] == [(s["uid"], s["modality"], s["instances"]) for s in source["series"]]
        assert fmt.DICOMDIR_PATH in study["note"][0]["text"]


def test_fhir_check_result_is_a_list(opened: dict[str, Any]) -> None:
    document = json.loads((opened["bag"] / fmt.INDEX_FHIR).read_text(encoding="utf-8"))
    (checklist,) = [
        e["resource"] for e in document["entry"] if e["resource"]["resourceType"] == "List"
    ]
    requirements = opened["index"]["check"]["requirements"]
    assert [e["item"]["display"] for e in checklist["entry"]] == [r["title"] for r in requirements]


def test_fhir_index_is_in_the_tag_manifest(opened: dict[str, Any]) -> None:
    lines = (opened["bag"] / fmt.TAGMANIFEST).read_text().splitlines()
    data = (opened["bag"] / fmt.INDEX_FHIR).read_bytes()
    assert f"{hashlib.sha256(data).hexdigest()}  {fmt.INDEX_FHIR}" in lines


_ZERO_SHA1 = "0" * 40


@pytest.mark.parametrize("index_agrees", [False, True], ids=["fhir-alone", "index-json-too"])
def test_open_refuses_a_fhir_index_whose_hash_lies(
    opened: dict[str, Any], tmp_path: Path, index_agrees: bool
) -> None:
    """Tag manifest made consistent, so only the FHIR check can catch it; with index.json
    telling the same lie, only the SHA-1 the reader computes from the bytes can."""
    from recordpack import age
    from recordpack.bundle.reader import BundleVerificationError, open_bundle

    identity = opened["identity"]
    plain = age.decrypt(opened["bundle"].read_bytes(), [identity])
    with zipfile.ZipFile(io.BytesIO(plain)) as src:
        members = [(info, src.read(info)) for info in src.infolist()]
    bag = opened["index"]["bag"]

    def patched(name: str, data: bytes) -> bytes:
        if name == f"{bag}/{fmt.INDEX_FHIR}":
            document = json.loads(data)
            for entry in document["entry"]:
                for content in entry["resource"].get("content", []):
                    content["attachment"]["hash"] = base64.b64encode(b"\0" * 20).decode()
            return json.dumps(document).encode()
        if name == f"{bag}/{fmt.INDEX_JSON}" and index_agrees:
            index = json.loads(data)
            for entry in index["files"]:
                if "sha1" in entry:
                    entry["sha1"] = _ZERO_SHA1
            return json.dumps(index).encode()
        return data

    rewritten = {info.filename: patched(info.filename, data) for info, data in members}
    manifest_name = f"{bag}/{fmt.TAGMANIFEST}"
    lines = []
    for line in rewritten[manifest_name].decode().splitlines():
        _, path = line.split("  ", 1)
        lines.append(f"{hashlib.sha256(rewritten[f'{bag}/{path}']).hexdigest()}  {path}")
    rewritten[manifest_name] = ("\n".join(lines) + "\n").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info, _ in members:
            dst.writestr(info, rewritten[info.filename])
    bundle = tmp_path / "lying.rpk"
    bundle.write_bytes(age.encrypt(out.getvalue(), [identity.recipient()]))
    with pytest.raises(BundleVerificationError) as caught:
        open_bundle(bundle, [identity], tmp_path / "opened")
    assert {p.code for p in caught.value.problems} == {"fhir_mismatch"}
    assert not (tmp_path / "opened").exists() or not any((tmp_path / "opened").iterdir())


# --------------------------------------------------------------------------- previews


def test_one_preview_per_series_small_and_decodable(opened: dict[str, Any]) -> None:
    from PIL import Image

    studies = [r["study"] for r in opened["index"]["records"] if r.get("study")]
    previews = [p for s in studies for p in s["previews"]]
    assert len(previews) == sum(s["series_count"] for s in studies) == len(case.SERIES)
    for preview in previews:
        path = opened["bag"] / preview["path"]
        with Image.open(path) as image:
            assert image.format == "PNG"
            assert max(image.size) <= 256
            assert image.getextrema() != (0, 0), "a blank preview"
    html = (opened["bag"] / fmt.INDEX_HTML).read_text(encoding="utf-8")
    assert html.count("<img ") == len(previews)


def test_a_series_that_cannot_be_decoded_says_so(tmp_path: Path) -> None:

    from recordpack import age
    from recordpack.bundle.pack import pack
    from recordpack.bundle.reader import open_bundle
    from recordpack.scan import scan_folder

    lossy = _pydicom_file("JPEG-lossy.dcm")  # 12-bit JPEG: no permissive decoder
    folder = tmp_path / "records"
    folder.mkdir()
    shutil.copy(str(lossy), folder / "IMG0001.dcm")
    identity = age.X25519Identity.generate()
    pack(scan_folder(folder), tmp_path / "b.rpk", recipients=[identity.recipient()])
    result = open_bundle(tmp_path / "b.rpk", [identity], tmp_path / "opened")
    (study,) = [r["study"] for r in result.index["records"] if r.get("study")]
    (preview,) = study["previews"]
    assert "path" not in preview
    assert "cannot decode" in preview["problem"]
    html = (result.bag_dir / fmt.INDEX_HTML).read_text(encoding="utf-8")
    assert "no preview (its pixel data uses a compression recordpack cannot decode)" in html


# --------------------------------------------------------------------------- words


def test_index_html_has_summary_and_timeline_first_with_no_raw_codes(
    opened: dict[str, Any],
) -> None:
    html = (opened["bag"] / fmt.INDEX_HTML).read_text(encoding="utf-8")
    assert (
        html.index("<section id=summary>")
        < html.index("<section id=timeline>")
        < html.index("Checklist")
    )
    assert "INVASIVE LOBULAR CARCINOMA" in html and "pT1c pN0(sn)" in html
    assert "patient_mismatch" not in html and "optional_missing" not in html
    # Advice written for the patient ("ask the radiology department...") is not repeated here.
    assert "Ask the" not in html and "ask the" not in html
    assert "may belong to another patient" in html


def test_open_and_inspect_print_the_summary_and_timeline(opened: dict[str, Any]) -> None:
    from recordpack.cli import main

    key = opened["work"] / "key.txt"
    key.write_text(str(opened["identity"]) + "\n")
    runner = CliRunner()
    done = runner.invoke(main, ["inspect", str(opened["bundle"]), "-i", str(key)])
    assert done.exit_code == 0, done.stderr
    out = done.stdout
    assert "Case summary" in out and "Timeline:" in out
    assert "histology: INVASIVE LOBULAR CARCINOMA" in out
    assert "ESR1: no mutation detected" in out
    assert "Surgery and biopsies:" in out
    assert "Imaging reports: Radiology report (may be another patient's)" in out
    as_json = runner.invoke(main, ["inspect", str(opened["bundle"]), "-i", str(key), "--json"])
    document = json.loads(as_json.stdout)
    assert document["index"]["summary"]["stage"]
    assert document["index"]["timeline"]


def test_text_says_not_found_where_the_records_are_silent() -> None:
    from recordpack.summary.render import render_summary

    lines = render_summary({"summary": _facts("Nothing relevant here.", "other")})
    assert "  Diagnosis: not found in these records" in lines
    assert "  Biomarkers: not found in these records" in lines


@pytest.mark.parametrize(
    ("name", "mode"),
    [
        ("CT_small.dcm", "L"),  # explicit VR, rescaled CT
        ("MR_small_RLE.dcm", "L"),  # RLE lossless
        ("JPEG2000.dcm", "L"),  # JPEG 2000, decoded by Pillow
        ("SC_rgb_jpeg_dcmtk.dcm", "RGB"),  # baseline JPEG colour
        ("SC_rgb_rle_2frame.dcm", "RGB"),  # multi-frame: the middle frame
    ],
)
def test_previews_of_pydicom_test_files(name: str, mode: str) -> None:
    from PIL import Image

    from recordpack.bundle.preview import series_preview
    from recordpack.model import Series

    path = _pydicom_file(name)
    with open(str(path), "rb") as source:
        preview = series_preview(Series("1.2.3", None, None, None, ()), source)
    assert preview.problem is None and preview.png is not None
    with Image.open(io.BytesIO(preview.png)) as image:
        assert image.mode == mode
        low, high = image.convert("L").getextrema()
        assert isinstance(low, (int, float)) and isinstance(high, (int, float))  # one band
        assert high - low > 50, "the window leaves no contrast"


def test_a_dicom_object_without_pixels_has_no_preview() -> None:

    from recordpack.bundle.preview import series_preview
    from recordpack.model import Series

    path = _pydicom_file("rtplan.dcm")
    with open(str(path), "rb") as source:
        preview = series_preview(Series("1.2.3", "RTPLAN", None, None, ()), source)
    assert preview.png is None and preview.problem == "it holds no image"


def test_markers_sharing_a_result_and_restated_abbreviations() -> None:
    markers = _facts(
        "Interpretation: MMR proficient (pMMR), low probability of MSI-H.\n"
        "NRAS and BRAF V600E: not detected.",
        "genomic_report",
    )["biomarkers"]
    found = {(f["marker"], f["result"], f["test"]) for f in markers}
    assert found == {
        ("MMR", "proficient (pMMR), low probability of MSI-H", None),
        ("NRAS", "not detected", None),  # the V600E belongs to BRAF only
        ("BRAF", "not detected", "V600E"),
    }


def test_the_same_stage_in_many_records_is_shown_once_from_the_earliest() -> None:
    documents = [
        SourcedText(
            n,
            f"data/records/{n}.txt",
            "clinical_note",
            f"2026-0{n + 1}-01",
            "Diffuse large B-cell lymphoma, stage III.",
        )
        for n in range(3)
    ]
    (stage,) = build_summary(documents)["stage"]
    assert (stage["value"], stage["record"]) == ("stage III", 0)


def test_real_pathology_reports_give_their_own_histology(corpus: Path) -> None:
    """TCGA reports from the shared corpus (OCR text): facts as written, margins left out."""
    from recordpack.scan import scan_folder

    scan = scan_folder(corpus / "pdf" / "tcga-grasool")
    documents = [
        SourcedText(n, r.files[0], r.kind, r.date, r.text)
        for n, r in enumerate(scan.records)
        if r.text
    ]
    by_file: dict[str, set[tuple[str, str]]] = {}
    for fact in build_summary(documents)["diagnosis"]:
        by_file.setdefault(fact["path"], set()).add((fact["field"], fact["value"]))
    assert ("histology", "Chromophobe renal cell carcinoma") in by_file["kidney-3.pdf"]
    assert ("laterality", "Left") in by_file["kidney-3.pdf"]
    assert ("histology", "Serous adenocarcinoma") in by_file["ovary1.pdf"]
    assert ("grade", "G3: Poorly differentiated") in by_file["ovary1.pdf"]
    # "Margins uninvolved by invasive carcinoma" says where, not what.
    assert all("invasive carcinoma" != v for _, v in by_file["kidney-3.pdf"])


@pytest.mark.parametrize(
    "text",
    ["Likely stage IIB lung cancer.", "Presumed stage III disease.", "Possibly pT2 on imaging."],
)
def test_a_hedged_stage_is_not_a_stage(text: str) -> None:
    summary = _facts(text, "clinical_note")
    assert summary["stage"] == []


def test_another_patients_record_gives_no_facts(opened: dict[str, Any]) -> None:
    index = opened["index"]
    others = index["summary"]["other_patient_records"]
    assert [index["records"][n]["original_files"] for n in others] == [["other/ct_report.txt"]]
    facts = [
        f
        for key in ("diagnosis", "stage", "biomarkers", "treatments")
        for f in index["summary"][key]
    ]
    assert all(f["record"] not in others for f in facts)
    html = (opened["bag"] / fmt.INDEX_HTML).read_text(encoding="utf-8")
    assert "Nothing here is taken from records that may belong to another patient" in html
    assert "(may be another patient&#x27;s)" in html or "(may be another patient's)" in html


def test_fhir_gives_another_patients_record_its_own_patient(opened: dict[str, Any]) -> None:
    document = json.loads((opened["bag"] / fmt.INDEX_FHIR).read_text(encoding="utf-8"))
    by_url = {e["fullUrl"]: e["resource"] for e in document["entry"]}
    patients = [r for r in by_url.values() if r["resourceType"] == "Patient"]
    assert len(patients) == 2
    report = next(
        r
        for r in by_url.values()
        if r["resourceType"] == "DocumentReference"
        and r["content"][0]["attachment"]["url"].endswith("radiology-report.txt")
    )
    named = by_url[report["subject"]["reference"]]
    assert named["name"][0]["text"].startswith("BRACKENRIDGE")


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 5) | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
_FACT = st.fixed_dictionaries(
    {},
    optional={
        k: _JSON | st.text(max_size=20)
        for k in (
            "field",
            "value",
            "marker",
            "result",
            "record",
            "path",
            "sentence",
            "date",
            "negative",
            "planned",
            "cycles",
            "unit",
            "method",
            "test",
        )
    },
)


@settings(max_examples=60, deadline=None)
@given(
    summary=st.dictionaries(
        st.sampled_from([*fmt.SUMMARY_SECTIONS, "other_patient_records", "version"]),
        st.lists(_FACT | _JSON, max_size=4) | _JSON,
    ),
    timeline=st.lists(_FACT | _JSON, max_size=4) | _JSON,
    previews=st.lists(_JSON | st.fixed_dictionaries({"path": st.text(max_size=30)}), max_size=3),
)
def test_hostile_summary_timeline_and_previews_render_safely(
    summary: dict[str, Any], timeline: Any, previews: Any
) -> None:
    """index.json comes from the sender: whatever it holds is refused or rendered inert."""
    from recordpack.bundle.html import render_index_html
    from recordpack.bundle.index_model import IndexSchemaError
    from recordpack.summary.render import render_summary, render_timeline

    index: dict[str, Any] = {
        "version": 1,
        "summary": summary,
        "timeline": timeline,
        "records": [
            {
                "kind": "imaging_report",
                "title": "<script>x</script>",
                "files": ["data/records/a.pdf"],
                "study": {"previews": previews},
            }
        ],
        "files": [{"path": "data/records/a.pdf", "size": 1, "sha256": "0" * 64}],
    }
    hidden = {"Cc", "Cf", "Zl", "Zp", "Cs", "Cn", "Co"}
    for line in render_summary(index) + render_timeline(index):
        assert not any(unicodedata.category(c) in hidden for c in line)
    try:
        html = render_index_html(index)
    except IndexSchemaError:
        return  # refused, as open refuses it before extracting anything
    assert "<script>" not in html and "javascript:" not in html.lower()
    for part in html.split('src="')[1:]:
        assert part.startswith("previews/") and ".." not in part.split('"')[0]
    for part in html.split('href="')[1:]:
        assert part.split('"')[0] == "data/records/a.pdf"


def test_hostile_summary_links_are_refused_not_drawn() -> None:
    """A fact, timeline entry or preview naming a path outside the bag is refused."""
    from recordpack.bundle.html import render_index_html
    from recordpack.bundle.index_model import IndexSchemaError

    base: dict[str, Any] = {
        "version": 1,
        "records": [{"kind": "imaging_report", "title": "t", "files": ["data/records/a.pdf"]}],
        "files": [{"path": "data/records/a.pdf", "size": 1, "sha256": "0" * 64}],
    }
    fact = {"field": "histology", "value": "x", "record": 0, "sentence": "s"}
    hostile: list[tuple[dict[str, Any], str]] = [
        ({"summary": {"diagnosis": [{**fact, "path": "javascript:alert(1)"}]}}, "link (URL)"),
        ({"summary": {"diagnosis": [{**fact, "path": "../../etc/passwd"}]}}, "'..'"),
        ({"summary": {"diagnosis": [{**fact, "path": "data/records/b.pdf"}]}}, "does not list"),
        ({"summary": {"diagnosis": [{**fact, "record": 7}]}}, "does not have"),
        ({"summary": {"diagnosis": [{**fact, "value": {"x": 1}}]}}, "text or a number"),
        ({"timeline": [{"record": 0, "path": "/etc/shadow"}]}, "absolute"),
        ({"timeline": [{"record": 0, "kind": "spell"}]}, "not a kind"),
        ({"study": [{"path": "previews/../../x.png"}]}, "'..'"),
        ({"study": [{"path": "javascript:alert(1)"}]}, "link (URL)"),
        ({"study": [{"path": "data/records/a.pdf"}]}, "not a preview picture"),
    ]
    for patch, words in hostile:
        index = json.loads(json.dumps(base))
        if "study" in patch:
            index["records"][0]["study"] = {"previews": patch["study"]}
        else:
            index.update(patch)
        with pytest.raises(IndexSchemaError, match=words.replace("(", r"\(").replace(")", r"\)")):
            render_index_html(index)
    page = render_index_html(
        {**base, "summary": {"diagnosis": [{**fact, "path": "data/records/a.pdf"}]}}
    )
    assert '<a href="data/records/a.pdf">t</a>' in page


def test_sha1_is_kept_for_documents_not_for_file_set_images(opened: dict[str, Any]) -> None:
    """FHIR attaches documents only: pack spends no SHA-1 on the imaging's bytes."""
    files = opened["index"]["files"]
    documents = [f for f in files if f["role"] == fmt.FILE_ROLE_RECORD]
    images = [f for f in files if f["role"] == fmt.FILE_ROLE_IMAGE]
    assert documents and images
    for entry in documents:
        data = (opened["bag"] / entry["path"]).read_bytes()
        assert entry["sha1"] == hashlib.sha1(data).hexdigest()
    assert all("sha1" not in entry for entry in images)


def test_a_header_claiming_a_huge_image_gets_no_preview_and_no_allocation(tmp_path: Path) -> None:
    from pydicom import dcmread

    from recordpack.bundle.preview import series_preview
    from recordpack.model import Series

    path = _pydicom_file("CT_small.dcm")
    ds = dcmread(str(path))
    ds.Rows = ds.Columns = 65535  # 8 GiB of pixels claimed, 32 KiB present
    hostile = tmp_path / "huge.dcm"
    ds.save_as(hostile)
    with open(hostile, "rb") as source:
        preview = series_preview(Series("1.2.3", "CT", None, None, ()), source)
    assert preview.png is None and preview.problem == "its images are too large to preview"


@pytest.mark.timeout(120)
def test_preview_fuzz_never_raises(tmp_path: Path) -> None:
    """Damaged DICOM (deterministic byte flips and cuts): a reason, never a traceback."""
    import random

    from recordpack.bundle.preview import series_preview
    from recordpack.model import Series

    path = _pydicom_file("CT_small.dcm")
    original = Path(str(path)).read_bytes()
    rng = random.Random(15)
    for _ in range(60):
        data = bytearray(original)
        for _ in range(rng.randint(1, 20)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        if rng.random() < 0.3:
            del data[rng.randrange(len(data)) :]
        preview = series_preview(Series("1.2.3", "CT", None, None, ()), io.BytesIO(bytes(data)))
        assert (preview.png is None) != (preview.problem is None)


@pytest.mark.timeout(120)
def test_summary_fuzz_on_mangled_reports() -> None:
    """Random cuts and splices of real report text: facts or none, never an error."""
    import random

    rng = random.Random(15)
    pieces = (case.PATHOLOGY + case.GENOMIC + case.NOTE + case.LABS).split()
    for _ in range(200):
        words = [rng.choice(pieces) for _ in range(rng.randint(0, 200))]
        text = "".join(w + rng.choice([" ", "\n", ": ", "; ", ". ", "(", ")"]) for w in words)
        summary = _facts(text, rng.choice(["pathology_report", "genomic_report", "clinical_note"]))
        for key in (
            "diagnosis",
            "stage",
            "biomarkers",
            "tumor_markers",
            "treatments",
            "procedures",
        ):
            for fact in summary[key]:
                assert fact["sentence"] and fact["sentence"] in " ".join(text.split())


def test_the_typed_index_keeps_everything_pack_wrote_of_the_case(opened: dict[str, Any]) -> None:
    """open's schema-checked index carries the summary, timeline, SHA-1s and previews intact."""
    written = json.loads((opened["bag"] / "index.json").read_text(encoding="utf-8"))
    shown = opened["index"]
    assert written["summary"]["diagnosis"] and shown["summary"] == written["summary"]
    assert written["timeline"] and shown["timeline"] == written["timeline"]
    assert shown["files"] == written["files"]
    studies = [r["study"] for r in written["records"] if r.get("study")]
    assert studies and all(s.get("previews") for s in studies)
    assert [r.get("study") for r in shown["records"]] == [
        r.get("study") for r in written["records"]
    ]
    page = (opened["bag"] / "index.html").read_text(encoding="utf-8")
    for study in studies:
        for preview in study["previews"]:
            if "path" in preview:
                assert f'src="{preview["path"]}"' in page
                assert (opened["bag"] / preview["path"]).is_file()
