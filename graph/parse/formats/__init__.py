"""Plan documents in the formats governments publish → plain text with a locator per line.

``read_document(data, name)`` picks the reader by the file's suffix (and checks its magic bytes),
and returns an ``Extracted``: the text the outline parser reads (one paragraph per line; a table as
tab-indented cells, one per line, with a blank line after each row) and, for every line of that
text, where it sits in the original (``locators``). The text is kept beside the original as a
derived ``.txt``; units point into it (line, span) and, through the locator, into the original.

| suffix        | reader      | library                                   | locator            |
|---------------|-------------|-------------------------------------------|--------------------|
| .txt          | text.py     | (codecs: UTF-8, GB18030, UTF-16 with BOM) | —                  |
| .docx         | docx.py     | python-docx (+ numbering.xml rendered)    | ``paragraph=N``    |
| .doc, .wps    | office.py   | LibreOffice headless → .docx → docx.py    | ``paragraph=N``    |
| .pdf          | pdf.py      | pypdfium2 (PDFium)                        | ``page=N``         |
| .html, .htm   | html.py     | lxml.html                                 | ``xpath=/html/…``  |
"""

from __future__ import annotations

from .base import FORMATS, Extracted, Format, format_of, media_type_of, read_document, supported_suffixes

__all__ = ["Extracted", "Format", "FORMATS", "format_of", "media_type_of", "read_document", "supported_suffixes"]
