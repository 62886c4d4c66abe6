"""Generate: stubs, `splice:` instructions, missing symbols and test placement found without a model; proposals
verified by the project's own command in a bubblewrap sandbox (README.md here has the rules)."""
