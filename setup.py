"""Only what pyproject.toml cannot say: the wheel carries the seed data (sandbox_data/, at the top of a checkout)
inside the package, as server/sandbox_data, so an installed sandbox seeds its apps from any directory.
server.config finds it there, or beside the package in a checkout."""
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SEED = Path(__file__).resolve().parent / "sandbox_data"


class BuildWithSeed(build_py):
    def run(self):
        super().run()
        self.copy_tree(str(SEED), str(Path(self.build_lib) / "server" / "sandbox_data"))


setup(cmdclass={"build_py": BuildWithSeed})
