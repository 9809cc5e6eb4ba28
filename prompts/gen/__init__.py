"""Generator of the ``core`` suite: vocabulary, templates and scene layouts per family.

``prompts.build`` runs it; each family module exposes ``CASES`` (sub-cases with their templates).
"""
