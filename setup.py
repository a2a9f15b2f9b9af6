"""The one build setting pyproject.toml cannot express: templates/ ships inside the package.

The templates stay in the top-level ``templates/`` folder of the checkout (the design card
asks for it), yet an installed wheel has no checkout around it. ``package_dir`` maps the
package ``kispub.templates`` onto that folder, so the wheel carries it as ``kispub/templates/``
next to ``kispub/static/``, where ``create_app`` looks first. Not ``data-files``: those
install outside the package (under the environment's prefix), where nothing finds them.
The template files themselves are package data, listed in pyproject.toml. Everything else
about the build is in pyproject.toml.
"""

import sys

from setuptools import find_namespace_packages, setup

# An editable install (`pip install -e .`, which `make install` runs) imports kispub from the
# checkout, where create_app finds templates/ by itself. Without the mapping there, setuptools
# takes its plain .pth strategy instead of an import hook, and warns about neither.
EDITABLE = "editable_wheel" in sys.argv

# Its sub-folders are listed too: setuptools warns about package data in unlisted folders.
TEMPLATE_PACKAGES = [
    "kispub.templates",
    *(f"kispub.templates.{name}" for name in find_namespace_packages("templates")),
]

if EDITABLE:
    setup(packages=find_namespace_packages(include=["kispub*"]), package_dir={"": "."})
else:
    setup(
        packages=[*find_namespace_packages(include=["kispub*"]), *TEMPLATE_PACKAGES],
        package_dir={"kispub.templates": "templates"},
    )
