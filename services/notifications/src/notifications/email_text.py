"""The two parts of a notification e-mail: plain text and HTML, in the reader's script.

For a language written right to left (Arabic, Persian) the HTML carries `dir="rtl"` and
`lang`; the plain text starts each line with a RIGHT-TO-LEFT MARK, so that a mail program
sets a line starting with a Latin reference (a notice number, a date) right to left too.
The signature separator `-- ` is left as it is, so that programs still recognise it.
"""

from __future__ import annotations

import re
from html import escape

from notifications import domain

RLM = "\u200f"
SIGNATURE = "-- "


def plain_text(body: str, language: str) -> str:
    if domain.text_direction(language) == "ltr":
        return body
    return "".join(
        line if line.rstrip("\n") in ("", SIGNATURE) else RLM + line
        for line in body.splitlines(keepends=True)
    )


def html(title: str, body: str, language: str) -> str:
    direction = domain.text_direction(language)
    align = "right" if direction == "rtl" else "left"
    paragraphs = [block for block in re.split(r"\n[ \t]*\n", body.strip()) if block.strip()]
    rendered = "\n".join(
        "<p>" + "<br>\n".join(escape(line) for line in block.splitlines()) + "</p>"
        for block in paragraphs
    )
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{escape(language)}" dir="{direction}">\n'
        '<head><meta charset="utf-8">'
        f"<title>{escape(title)}</title></head>\n"
        f'<body dir="{direction}" style="text-align: {align}">\n'
        f"{rendered}\n"
        "</body>\n</html>\n"
    )
