"""Edits: model answers become proposals (parse → place → validate → review), applied only after approval.

Entry points: ``propose.propose`` (answer → Proposal), ``store.ProposalStore`` (persistence under
``.splice/proposals``), ``review.plan_apply`` (approved hunks → exact final texts), ``undo.inverse`` and
``writer.write_plan`` (atomic disk writes for the CLI). README.md describes formats, matching and safety rules.
Nothing here knows LSP.
"""
