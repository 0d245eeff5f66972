"""openpyxl's home: reading and writing spreadsheets (xlsx) for the rest of the core.

`reader` opens the workbooks users bring; `writer` makes reports and forms. Importing this
package does not import openpyxl.
"""

from app.errors import AppError


class WorkbookError(AppError):
    """A workbook cannot be read, or cannot be written where asked."""
