"""The report as JSON: the dict as it is (money as "1144.00" strings, shares as floats), UTF-8."""
from __future__ import annotations

import json


def render_json(report: dict) -> bytes:
    """The report as UTF-8 JSON on one line (Chinese kept readable, not escaped)."""
    return (json.dumps(report, ensure_ascii=False) + "\n").encode("utf-8")
