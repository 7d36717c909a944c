"""Print the requirements declared in pyproject.toml, one a line, for `pip install -r`.

Usage: python scripts/requirements.py [EXTRA...]. The project itself is not installed:
manage.py and pytest run it from the work tree.
"""

import sys
import tomllib
from pathlib import Path

project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())["project"]
requirements = list(project["dependencies"])
for extra in sys.argv[1:]:
    requirements += project["optional-dependencies"][extra]
print("\n".join(requirements))
