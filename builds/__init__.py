"""Build layer: the data folder and its generations, the build pipeline, per-file parts, and
corpus changes (add / replace / remove as deltas).

    layout       the one place that spells a generation's paths
    lock         the data folder's lock
    generations  current / previous, publish (atomic flip), hold, check, clean up
    pipeline     full build and delta, stage by stage
    writer       writing a generation (sources, parts, store, index, report)
    parts        what each source file contributes, reused by deltas
    corpus       stored files; add, replace, remove
"""
