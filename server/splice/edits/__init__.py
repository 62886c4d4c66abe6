"""Edits: model answers become proposals (parse → place → validate → review), applied only after approval.

The public surface lives in the submodules: ``answer`` (parse model output), ``apply`` (place blocks on text),
``propose`` (answer → Proposal), ``proposal`` (types + store), ``review`` (hunk selection, staleness, apply plans),
``undo`` and ``writer`` (atomic disk writes for the CLI). Nothing here knows LSP.
"""
