"""Cell values shared by the CSV and XLSX writers: formula-injection escaping and text formats."""
from __future__ import annotations

#: A text cell starting with one of these would be read as a formula by spreadsheet programs.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def escape_text(value) -> str:
    """Text made safe for spreadsheets: a leading = + - @ tab or CR gets a ' in front."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def plain(value, kind: str) -> str:
    """A cell as CSV text: ints as is, money exact with 2 places, shares and rates as fractions."""
    if value is None:
        return ""
    if kind == "int":
        return str(int(value))
    if kind == "money":
        return str(value)
    if kind == "share":
        return f"{float(value):.4f}"
    if kind == "rate":
        return f"{float(value):.6f}"
    return escape_text(value)
