"""Files the workbench writes where a user says: shared by export, transfer, agreement and training.

- :mod:`~workbench.files.atomic`: a file appears whole or not at all, never over the database,
  a link, a device or a FIFO (:func:`~workbench.files.atomic.check_target`).
- :mod:`~workbench.files.csv_safety`: CSV cells a spreadsheet can never run as formulas.
- :mod:`~workbench.files.manifest`: the manifest written beside every export and backup once
  the data file is whole (format, counts, sha256), and its check.

Kept out of ``export/`` because the agreement table, backups and trained weights use them
too (the manifest: backups), and none of those should depend on the export package for it.
"""
