"""Settings of the course site, built by `make site` (Sphinx, myst-nb, sphinx-book-theme).

`python -m aipm_course.site OUT` lays out the pages in a build folder and runs Sphinx with this
file. The addresses the launch buttons use are settings: set them in the environment before
`make site`, or change the defaults here.

    AIPM_SITE_REPO_URL     the kit's git repository, as learners' servers can clone it
    AIPM_SITE_BRANCH       its branch (default main)
    AIPM_SITE_HUB_URL      your class's JupyterHub (nbgitpuller must be installed there);
                           empty for no JupyterHub button
    AIPM_SITE_BINDER_URL   a BinderHub (default mybinder.org); empty for no Binder button
"""

import os

REPO_URL = os.environ.get("AIPM_SITE_REPO_URL", "https://github.com/example-org/aipm-workbook")
BRANCH = os.environ.get("AIPM_SITE_BRANCH", "main")
HUB_URL = os.environ.get("AIPM_SITE_HUB_URL", "https://hub.example.edu")
BINDER_URL = os.environ.get("AIPM_SITE_BINDER_URL", "https://mybinder.org")

project = "The AI PM Workbook"
html_title = project
language = "en"
# aipm_course.site prepares each notebook as Sphinx reads it (links, alt text, widget stills).
extensions = ["myst_nb", "aipm_course.site"]
exclude_patterns = ["**.ipynb_checkpoints"]

# Notebooks are shown with the outputs stored in them; the site never runs one.
nb_execution_mode = "off"
# "$" is money in these lessons, not mathematics: no dollar math. Headings get anchors for links.
myst_heading_anchors = 3

html_theme = "sphinx_book_theme"
html_static_path = ["_static"]
html_css_files = ["aipm-site.css"]
html_show_sourcelink = False
# Search works from files on disk (searchindex.js is a script). Its summaries would fetch each page,
# which a browser refuses for file:// pages: show titles without summaries.
html_show_search_summary = False
html_theme_options = {
    "home_page_in_toc": True,
    "navbar_persistent": [],  # one search box (the sidebar's), no second one in a top bar
    "footer_content_items": [],  # no "By …" line
    "show_navbar_depth": 1,
    "show_toc_level": 2,
    "repository_url": REPO_URL,
    "repository_branch": BRANCH,
    # Pages keep the notebooks' paths in the repository (notebooks/02_….ipynb), so the launch
    # buttons open the same file on Binder or, through nbgitpuller, on the class's JupyterHub.
    "path_to_docs": "",
    "use_repository_button": True,
    "use_download_button": True,
    "launch_buttons": {
        "binderhub_url": BINDER_URL,
        "jupyterhub_url": HUB_URL,
        "notebook_interface": "jupyterlab",
    },
}
