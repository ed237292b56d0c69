"""The drafting workbench: check a draft plan against the plans of the graph, storing nothing.

    draft = read_draft([SourceFile("草案.docx", data)])           # parse + extract, as ``plankg add`` would
    view = CorpusView(engine)                                      # once per build generation
    report = check_draft(view, draft, parse_against("plan_type=children"), indicator_rows)

``drafts`` reads the draft, ``corpus`` knows the indexed plans and compares vectors, ``counterparts`` finds
each unit's best counterpart per peer plan (with a diff and the agencies and laws they name), ``topics`` the
topics peers cover and the draft does not, ``targets`` the draft's targets against the peers', ``report``
puts them together and ``exports`` writes the report as printable HTML, .docx and CSV.
"""

from __future__ import annotations

from .corpus import CorpusView
from .drafts import Draft, DraftUnit, parse_against, pasted, read_draft
from .report import check_draft

__all__ = ["CorpusView", "Draft", "DraftUnit", "check_draft", "parse_against", "pasted", "read_draft"]
