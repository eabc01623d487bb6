"""Peak memory of ``recordpack scan`` on a folder of very large structured records.

    python benchmarks/bench_memory.py [--fhir-mb 500] [--ccda-mb 200] [--dir DIR]

Generates (once, reused on later runs) a folder holding one FHIR R4 Bundle
export of ``--fhir-mb`` MB (a synthetic patient with many Observations,
Conditions and Encounters, one JSON document) and one C-CDA Continuity of
Care Document of ``--ccda-mb`` MB (a results section with many entries), then
runs ``recordpack scan --json -q`` on it in a child process and reports its
wall time and peak resident set (``wait4``). The issue's target: peak RSS at
most 150 MB for 500 MB + 200 MB. Synthetic, invented names only.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from paired import timed_env

_PATIENT = {
    "resourceType": "Patient",
    "id": "p1",
    "name": [{"family": "Quill", "given": ["Avery"]}],
    "birthDate": "1961-04-12",
    "identifier": [{"type": {"coding": [{"code": "MR"}]}, "value": "MRN-0001"}],
}


def _observation(n: int) -> dict[str, object]:
    return {
        "resourceType": "Observation",
        "id": f"obs{n}",
        "status": "final",
        "category": [{"coding": [{"code": "laboratory"}]}],
        "code": {"coding": [{"system": "http://loinc.org", "code": "2857-1"}], "text": "PSA"},
        "subject": {"reference": "Patient/p1"},
        "effectiveDateTime": f"20{10 + n % 14:02d}-0{1 + n % 9}-1{n % 10}",
        "valueQuantity": {"value": n % 97 / 10, "unit": "ng/mL"},
    }


def _resource(n: int) -> dict[str, object]:
    kind = n % 3
    if kind == 0:
        return _observation(n)
    if kind == 1:
        return {"resourceType": "Condition", "id": f"c{n}", "subject": {"reference": "Patient/p1"},
                "code": {"text": "Adenocarcinoma of prostate"}, "recordedDate": "2023-05-02"}
    return {"resourceType": "Encounter", "id": f"e{n}", "status": "finished",
            "subject": {"reference": "Patient/p1"}, "period": {"start": "2023-06-01"}}


def write_fhir(path: Path, size: int) -> None:
    """A FHIR collection Bundle of about ``size`` bytes, written entry by entry."""
    with path.open("w", encoding="utf-8") as out:
        out.write('{"resourceType": "Bundle", "type": "collection", "timestamp": '
                  '"2024-03-05T10:00:00Z", "entry": [\n')
        out.write(json.dumps({"fullUrl": "urn:uuid:p1", "resource": _PATIENT}))
        n = 0
        while out.tell() < size:
            out.write(",\n" + json.dumps({"fullUrl": f"urn:uuid:r{n}", "resource": _resource(n)}))
            n += 1
        out.write("\n]}\n")


_CCDA_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<ClinicalDocument xmlns="urn:hl7-org:v3">
  <templateId root="2.16.840.1.113883.10.20.22.1.2"/>
  <code code="34133-9" codeSystem="2.16.840.1.113883.6.1" displayName="Summary of episode note"/>
  <title>Continuity of Care Document</title>
  <effectiveTime value="20240305"/>
  <recordTarget><patientRole><id extension="MRN-0001" root="1.2.3"/>
    <patient><name><given>Avery</given><family>Quill</family></name>
    <birthTime value="19610412"/></patient></patientRole></recordTarget>
  <component><structuredBody><component><section>
    <code code="30954-2" codeSystem="2.16.840.1.113883.6.1"/>
    <title>Results</title>
    <text>Laboratory results over the years.</text>
"""
_CCDA_ENTRY = """    <entry><observation classCode="OBS" moodCode="EVN">
      <code code="2857-1" codeSystem="2.16.840.1.113883.6.1" displayName="PSA"/>
      <effectiveTime value="2023{month:02d}01"/><value value="{value}" unit="ng/mL"/>
    </observation></entry>
"""
_CCDA_TAIL = "  </section></component></structuredBody></component>\n</ClinicalDocument>\n"


def write_ccda(path: Path, size: int) -> None:
    """A C-CDA CCD of about ``size`` bytes with one long results section."""
    with path.open("w", encoding="utf-8") as out:
        out.write(_CCDA_HEAD)
        n = 0
        while out.tell() < size:
            out.write("".join(_CCDA_ENTRY.format(month=1 + (n + k) % 12, value=(n + k) % 97)
                              for k in range(1000)))
            n += 1000
        out.write(_CCDA_TAIL)


def run(folder: Path) -> tuple[float, int, int]:
    """Wall time, peak RSS (bytes) and exit status of ``recordpack scan`` on ``folder``."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "recordpack", "scan", "--json", "-q", str(folder)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        env=timed_env(),  # the installed recordpack, not the checkout
    )
    _, status, usage = os.wait4(process.pid, 0)
    return time.perf_counter() - start, usage.ru_maxrss * 1024, os.waitstatus_to_exitcode(status)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fhir-mb", type=int, default=500)
    parser.add_argument("--ccda-mb", type=int, default=200)
    parser.add_argument("--dir", type=Path, default=Path(__file__).parent / "work")
    args = parser.parse_args()
    folder = args.dir / f"memory-{args.fhir_mb}-{args.ccda_mb}"
    folder.mkdir(parents=True, exist_ok=True)
    fhir, ccda = folder / "fhir-export.json", folder / "summary.xml"
    if not fhir.exists():
        write_fhir(fhir, args.fhir_mb * 1024 * 1024)
    if not ccda.exists():
        write_ccda(ccda, args.ccda_mb * 1024 * 1024)
    elapsed, peak, status = run(folder)
    print(f"folder: {fhir.stat().st_size / 1e6:.0f} MB FHIR + {ccda.stat().st_size / 1e6:.0f} MB "
          f"C-CDA; scan exit {status}, {elapsed:.1f} s, peak RSS {peak / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
