"""Exports: one writer per format, each written whole or not at all."""

from workbench.export.service import ExportFormat, ExportResult, export_to_file, render_export

__all__ = ["ExportFormat", "ExportResult", "export_to_file", "render_export"]
