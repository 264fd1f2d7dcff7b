"""The child process of one submission: ``python -m aipm_course.grading NOTEBOOK TIMEOUT``."""

import sys

from .run import child_main

if __name__ == "__main__":
    sys.exit(child_main(sys.argv[1:]))
