"""Hostile files made by hand: cost bombs a scanner must bound, not run through."""

from __future__ import annotations

import struct

from tests.fuzz_helpers import zip_of


def many_image_pdf(count: int, pages: int = 1) -> bytes:
    """A PDF whose pages hold ``count`` distinct pictures each, big enough to be worth OCR."""
    from fpdf import FPDF
    from PIL import Image

    pdf = FPDF()
    for page in range(pages):
        pdf.add_page()
        for index in range(count):
            picture = Image.new("L", (220, 220), color=255)
            picture.putpixel((index % 220, page % 220), 0)  # distinct, so not shared
            pdf.image(picture, x=(index % 10) * 20, y=(index // 10) * 14, w=18)
    return bytes(pdf.output())


def overlapping_zip(copies: int, size: int = 1_000_000) -> bytes:
    """A zip whose central directory lists ``copies`` more names for its one member's data."""
    data = zip_of({"report.txt": b"CLINIC NOTE\n" + b"A" * size})
    eocd = data.rindex(b"PK\x05\x06")
    start = struct.unpack("<I", data[eocd + 16: eocd + 20])[0]
    record = data[start:eocd]
    name_length = struct.unpack("<H", record[28:30])[0]
    records = [record]
    for index in range(copies):
        name = f"copy{index:05d}.txt".encode()
        records.append(record[:28] + struct.pack("<H", len(name)) + record[30:46] + name
                       + record[46 + name_length:])
    directory = b"".join(records)
    end = bytearray(data[eocd: eocd + 22])
    end[8:10] = end[10:12] = struct.pack("<H", len(records))
    end[12:16] = struct.pack("<I", len(directory))
    return data[:start] + directory + bytes(end)
