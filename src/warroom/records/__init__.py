"""The war-room records: their tables, typed models, value readers and quality rules.

``warroom.parsing.records`` finds and reads blocks in comments; this package
holds what it reads them with, so the Action, the templates and the docs
share one definition of each record kind.
"""
