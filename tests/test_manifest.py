"""Manifests: the built-ins, extension, and errors that name the file, line and fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from recordpack.errors import ManifestError
from recordpack.manifest import builtin_names, list_manifests, load_manifest
from recordpack.model import KINDS

BUILTINS = ["general", "breast", "lung", "prostate", "colorectal", "lymphoma-leukemia"]


def test_the_six_builtins_load_general_first() -> None:
    names = [m.name for m in list_manifests()]
    assert names[0] == "general"
    assert sorted(names) == sorted(BUILTINS)
    assert builtin_names() == names


@pytest.mark.parametrize("name", BUILTINS)
def test_each_builtin_is_complete_and_kind(name: str) -> None:
    manifest = load_manifest(name)
    assert manifest.title and manifest.description
    ids = [r.id for r in manifest.requirements]
    assert len(ids) == len(set(ids))
    for requirement in manifest.requirements:
        assert set(requirement.kinds) <= set(KINDS)
        assert requirement.physical or requirement.kinds
        # Every item explains itself to the patient.
        assert len(requirement.why) > 30 and len(requirement.how_to_get) > 30
    assert any(r.required for r in manifest.requirements)
    assert manifest.requirement("slides").physical


@pytest.mark.parametrize("name", [n for n in BUILTINS if n != "general"])
def test_cancer_manifests_extend_general(name: str) -> None:
    manifest = load_manifest(name)
    general = load_manifest("general")
    assert manifest.extends == "general"
    assert {r.id for r in general.requirements} <= {r.id for r in manifest.requirements}
    assert len(manifest.requirements) > len(general.requirements)


def test_breast_pathology_asks_for_receptors_and_keeps_inherited_fields() -> None:
    pathology = load_manifest("breast").requirement("pathology")
    assert pathology.kinds == ("pathology_report",)  # inherited from general
    firsts = [group[0] for group in pathology.must_mention]
    assert firsts == ["ER", "PR", "HER2"]


def test_override_changes_only_the_fields_given(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(
        'extends = "general"\n'
        "[[requirement]]\n"
        'id = "recent_labs"\n'
        "max_age_days = 30\n"
        "[[requirement]]\n"
        'id = "tumor_board"\n'
        'title = "Tumor board summary"\n'
        'kinds = ["clinical_note"]\n'
        "required = false\n",
        encoding="utf-8",
    )
    manifest = load_manifest(str(path))
    assert manifest.name == "mine" and manifest.extends == "general"
    labs = manifest.requirement("recent_labs")
    assert labs.max_age_days == 30 and labs.kinds == ("lab_result",)
    assert manifest.requirements[-1].id == "tumor_board"


def _error(tmp_path: Path, text: str, name: str = "bad.toml") -> ManifestError:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ManifestError) as caught:
        load_manifest(str(path))
    assert caught.value.exit_code == 2
    assert str(path) in caught.value.message
    return caught.value


def test_bad_toml_names_the_line(tmp_path: Path) -> None:
    error = _error(tmp_path, 'name = "x"\ntitle = "X"\n[[requirement]]\nid = pathology\n')
    assert "line 4" in error.message and "TOML" in error.message
    assert error.hint and "quotes" in error.hint


def test_misspelt_key_names_its_line_and_suggests(tmp_path: Path) -> None:
    error = _error(
        tmp_path,
        'name = "x"\n\n[[requirement]]\nid = "a"\ntitle = "A"\nkinds = ["lab_result"]\n'
        '\n[[requirement]]\nid = "b"\ntitle = "B"\nkinds = ["lab_result"]\n'
        "max_age_dayz = 30\n",
    )
    assert "line 12" in error.message and "max_age_dayz" in error.message
    assert error.hint and "Did you mean 'max_age_days'" in error.hint


def test_misspelt_top_level_key(tmp_path: Path) -> None:
    error = _error(tmp_path, 'name = "x"\nextend = "general"\n')
    assert "line 2" in error.message
    assert error.hint and "'extends'" in error.hint


def test_unknown_kind_suggests_the_nearest(tmp_path: Path) -> None:
    error = _error(
        tmp_path, '[[requirement]]\nid = "p"\ntitle = "P"\nkinds = ["pathology_reports"]\n'
    )
    assert "line 4" in error.message and "pathology_reports" in error.message
    assert error.hint and "'pathology_report'" in error.hint


def test_unknown_parent(tmp_path: Path) -> None:
    error = _error(tmp_path, 'name = "x"\n\nextends = "genral"\n')
    assert "line 3" in error.message and "genral" in error.message
    assert error.hint and "'general'" in error.hint


def test_extends_cycle_is_refused(tmp_path: Path) -> None:
    (tmp_path / "b.toml").write_text('extends = "a.toml"\n', encoding="utf-8")
    error = _error(tmp_path, 'extends = "b.toml"\n', name="a.toml")
    assert "cycle" in error.message


def test_extending_itself_is_a_cycle(tmp_path: Path) -> None:
    assert "cycle" in _error(tmp_path, 'extends = "self.toml"\n', name="self.toml").message


def test_single_bracket_requirement_is_explained(tmp_path: Path) -> None:
    error = _error(tmp_path, '[requirement]\nid = "a"\ntitle = "A"\nkinds = ["other"]\n')
    assert "[[requirement]]" in error.message and "line 1" in error.message


def test_new_requirement_needs_kinds(tmp_path: Path) -> None:
    error = _error(tmp_path, '[[requirement]]\nid = "a"\ntitle = "A"\n')
    assert "'kinds'" in error.message and "line 1" in error.message


def test_wrong_types_are_explained(tmp_path: Path) -> None:
    error = _error(
        tmp_path, '[[requirement]]\nid = "a"\ntitle = "A"\nkinds = ["other"]\ncount = 0\n'
    )
    assert "line 5" in error.message and "count" in error.message
    error = _error(
        tmp_path,
        '[[requirement]]\nid = "a"\ntitle = "A"\nkinds = ["other"]\nmust_mention = [[]]\n',
    )
    assert "line 5" in error.message and "must_mention" in error.message


def test_unknown_builtin_name_suggests() -> None:
    with pytest.raises(ManifestError) as caught:
        load_manifest("brest")
    assert caught.value.hint and "'breast'" in caught.value.hint


def test_missing_file() -> None:
    with pytest.raises(ManifestError) as caught:
        load_manifest("no/such/manifest.toml")
    assert "does not exist" in caught.value.message
