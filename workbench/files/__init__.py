"""Files the workbench writes where a user says: shared by export, transfer, agreement and training.

- :mod:`~workbench.files.atomic`: a file appears whole or not at all, never over the database,
  a link, a device or a FIFO (:func:`~workbench.files.atomic.check_target`).
- :mod:`~workbench.files.csv_safety`: CSV cells a spreadsheet can never run as formulas.

Kept out of ``export/`` because the agreement table, backups and trained weights use them
too, and none of those should depend on the export package for it.
"""
