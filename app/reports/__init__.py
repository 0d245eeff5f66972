"""What the archivist hands over: the audit workbook and the slips (bordereaux)."""
