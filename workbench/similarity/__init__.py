"""Claims matched across articles: one subject, from the measure to the stored links.

- :mod:`~workbench.similarity.measure`: when two texts are the same statement (5-gram
  Jaccard, figures that agree) and their MinHash sketches; pure functions, no database.
- :mod:`~workbench.similarity.store`: the sketch, key and link tables read and written in bulk.
- :mod:`~workbench.similarity.cache`: what an ingest run keeps of stored claims between batches.
- :mod:`~workbench.similarity.link`: linking new claims to stored ones, inside ingest's
  transaction; :mod:`~workbench.similarity.rebuild` recomputes every link.
- :mod:`~workbench.similarity.query`: the claims similar to one, for the review page.

Ingest and review both depend on this package and it on neither: giving a verdict to a
group of similar claims writes reviews, so it lives in :mod:`workbench.review.similar`.
"""
