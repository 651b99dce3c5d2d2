"""Exports: one writer per format, each written whole or not at all, with a manifest."""

from workbench.export.filters import ExportFilter
from workbench.export.service import ExportFormat, ExportResult, export_to_file, render_export

__all__ = ["ExportFilter", "ExportFormat", "ExportResult", "export_to_file", "render_export"]
