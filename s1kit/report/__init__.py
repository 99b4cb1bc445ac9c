"""What the book shows of a run: one module per paper artifact, over a typed view of ``summary.json``.

- :mod:`~s1kit.report.summary`: :class:`~s1kit.report.summary.Summary`, the evaluation stage's
  ``summary.json`` as typed sweep points, paired comparisons and the best k;
- :mod:`~s1kit.report.words`, :mod:`~s1kit.report.figures`: verdict words and shared plotting pieces;
- :mod:`~s1kit.report.traces` (chapters 2, 3, 7), :mod:`~s1kit.report.training` (chapters 1, 4);
- one module per artifact, each with its tables, verdict sentences, figures and the numbers its
  chapter's exercise solutions quote (``exercise_numbers``): :mod:`~s1kit.report.scaling`
  (Table 1, Figure 1), :mod:`~s1kit.report.worlds`, :mod:`~s1kit.report.metrics`,
  :mod:`~s1kit.report.table2`, :mod:`~s1kit.report.table3`, :mod:`~s1kit.report.table4`,
  :mod:`~s1kit.report.figure4b`.

Nothing here is part of any stage's cache key: these modules only read results, so editing a
verdict or a figure recomputes nothing.
"""
