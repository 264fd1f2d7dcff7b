"""The AI PM Workbook's helper package: every calculation the lessons and exercises use.

Start with notebooks/00_start_here.ipynb. Each function's docstring names the lesson that teaches it.
"""

__version__ = "0.2.0"
