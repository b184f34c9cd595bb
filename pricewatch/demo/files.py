"""Files the demo hands to the real services: CSV files in the INTERFACE.md formats, evidence PDFs."""
from __future__ import annotations

import csv
from pathlib import Path

#: Columns of each input file, in the order INTERFACE.md lists them.
COLUMNS = {
    "listings": ("listing_id", "product_id", "supplier_id", "supplier_name", "category", "brand", "model", "name",
                 "mall_price", "committed_discount", "price_effective_on"),
    "observations": ("product_id", "source", "price", "observed_on", "origin", "url"),
    "orders": ("order_id", "line_no", "listing_id", "buyer_id", "ordered_on", "quantity", "unit_price"),
}


def write_csv(path: Path, kind: str, rows: list[dict]) -> Path:
    """Write `rows` as a UTF-8 CSV file with the header of `kind`."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS[kind])
        writer.writeheader()
        writer.writerows(rows)
    return path


def evidence_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with a few lines of ASCII text (a stand-in for a scanned price document)."""
    text = " ".join(f"({_escape(line)}) Tj 0 -18 Td" for line in lines)
    stream = f"BT /F1 12 Tf 72 770 Td {text} ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _escape(text: str) -> str:
    """ASCII text for a PDF string literal."""
    ascii_text = text.encode("ascii", "replace").decode("ascii")
    return ascii_text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
