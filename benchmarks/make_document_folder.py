"""Generate a folder of mixed medical documents: one invented patient's many records.

    python benchmarks/make_document_folder.py --documents 2000 OUT

The mix is what a coordinator's export of a long cancer history looks like:
60% report PDFs (every document kind, three layouts, one or two pages, text
layer as a hospital system prints it), 15% plain-text notes, 10% C-CDA
documents, 10% FHIR R4 Bundles and 5% HL7 v2 lab messages, spread over
dated folders. Every document is written by ``examples/synthetic.py`` about
an invented person. Deterministic for a given ``--seed``; refuses to write
into a non-empty folder.

``--searchable PERCENT`` writes that share of the report PDFs as scans made
searchable by OCR instead (a JPEG of each page under an invisible text layer
in the glyphless font Tesseract and OCRmyPDF write); the rest of the folder is
the same as without it.

``--long PERCENT`` makes that share of the report PDFs and notes long
records: each carries, after its own report, the text of six earlier reports
of the same kind about the same patient (as a hospital prints a report with
its priors), some 5,000-10,000 characters over four to seven pages. The
generated reports are otherwise one page, where records that reach a patient
are often several; the rest of the folder is the same as without it.
"""

from __future__ import annotations

import argparse
import random
import sys
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples"))

import synthetic

#: (share in percent, writer name): the mix described above.
MIX = ((60, "pdf"), (15, "text"), (10, "ccda"), (10, "fhir"), (5, "hl7"))
#: Earlier reports a long record carries, and the days between them.
LONG_PRIORS = 6
LONG_STEP_DAYS = 91
#: Kinds a report PDF or note can be (administrative and "other" papers aside).
REPORT_KINDS = tuple(k for k in synthetic.DOCUMENT_KINDS if k not in ("administrative", "other"))


def _plan(count: int, rng: random.Random) -> list[str]:
    formats = [name for share, name in MIX for _ in range(count * share // 100)]
    formats += ["pdf"] * (count - len(formats))
    rng.shuffle(formats)
    return formats


def _priors(kind: str, person: synthetic.Person, day: date, index: int) -> str:
    """The text of :data:`LONG_PRIORS` earlier reports of ``kind``, for a long record."""
    parts = ["PRIOR REPORTS"]
    for number in range(1, LONG_PRIORS + 1):
        earlier = day - timedelta(days=LONG_STEP_DAYS * number)
        parts.append(synthetic.report_text(
            kind=kind, person=person, service_date=earlier, layout=(index + number) % synthetic.LAYOUTS,
            seed=index * 10 + number,
        ))  # fmt: skip
    return "\n".join(parts)


def generate(
    out: Path, count: int, seed: int = 1, searchable: int = 0, long: int = 0
) -> dict[str, int]:
    """Write ``count`` documents (``searchable`` percent of the PDFs OCR'd scans, ``long``
    percent of the report PDFs and notes long records); return how many of each format."""
    rng = random.Random(seed)
    person = synthetic.INVENTED_PEOPLE[seed % len(synthetic.INVENTED_PEOPLE)]
    start = date(2019, 1, 7)
    made: dict[str, int] = {}
    for index, fmt in enumerate(_plan(count, rng)):
        day = start + timedelta(days=rng.randrange(7 * 365))
        folder = out / f"{day.year}" / f"{day:%Y-%m}"
        folder.mkdir(parents=True, exist_ok=True)
        kind = REPORT_KINDS[index % len(REPORT_KINDS)]
        stem = f"{day:%Y%m%d}-{index:05d}"
        variation = {"seed": index, "cancer": rng.choice(("breast", "lung", "colorectal"))}
        # Spread over the folder, apart from the OCR'd scans (index % 100 < searchable).
        extra = _priors(kind, person, day, index) if (index * 37 + 50) % 100 < long else ""
        if fmt == "pdf" and index % 100 < searchable:
            fmt = "searchable pdf"
            synthetic.write_searchable_pdf(
                folder / f"{stem}-{kind}.pdf", kind=kind, person=person, service_date=day,
                layout=index % synthetic.LAYOUTS, **variation,  # type: ignore[arg-type]
            )
        elif fmt == "pdf":
            synthetic.write_pdf(
                folder / f"{stem}-{kind}.pdf", kind=kind, person=person, service_date=day,
                layout=index % synthetic.LAYOUTS, extra=extra, **variation,  # type: ignore[arg-type]
            )
            fmt = "long pdf" if extra else fmt
        elif fmt == "text":
            synthetic.write_text(
                folder / f"{stem}-{kind}.txt", kind=kind, person=person, service_date=day,
                layout=index % synthetic.LAYOUTS, extra=extra, **variation,  # type: ignore[arg-type]
            )
            fmt = "long text" if extra else fmt
        elif fmt == "ccda":
            synthetic.write_ccda(
                folder / f"{stem}-summary.xml", person=person, service_date=day, **variation  # type: ignore[arg-type]
            )
        elif fmt == "fhir":
            synthetic.write_fhir_bundle(
                folder / f"{stem}-portal.json", person=person, service_date=day, **variation  # type: ignore[arg-type]
            )
        else:
            synthetic.write_hl7_oru(
                folder / f"{stem}-labs.hl7", person=person, collected=day, seed=index
            )
        made[fmt] = made.get(fmt, 0) + 1
    return made


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder to create (must be absent or empty)")
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--searchable", type=int, default=0, metavar="PERCENT",
                        help="share of the report PDFs written as OCR'd scans (default 0)")
    parser.add_argument("--long", type=int, default=0, metavar="PERCENT",
                        help="share of the report PDFs and notes written as long records (default 0)")
    args = parser.parse_args(argv)
    for option in ("searchable", "long"):
        if not 0 <= getattr(args, option) <= 100:
            parser.error(f"--{option} is a percentage, 0 to 100")
    if args.out.exists() and any(args.out.iterdir()):
        print(f"{args.out} is not empty; choose a new folder", file=sys.stderr)
        return 2
    made = generate(args.out, args.documents, args.seed, args.searchable, args.long)
    print(f"{sum(made.values())} documents in {args.out}: " + ", ".join(f"{n} {k}" for k, n in made.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
