# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Stand-in for get-pip.py that installs pip from the package registry.

ansible-test creates its virtual environments without pip and then runs a
``get-pip.py`` script that it downloads from a host that is not a package
registry (ci-files.testing.ansible.com).  It first looks for a cached copy at
``~/.ansible/test/cache/get_pip_<version>.py``; scripts/ansible_test.sh
installs this file there.

Like the real get-pip.py, it is run with pip install arguments
(``pip==24.2 --no-setuptools --no-wheel``).  It runs pip from the wheel that
the interpreter's own ``ensurepip`` bundles, which then installs the requested
pip version from the configured index (PyPI or its mirror).
"""

from __future__ import absolute_import, division, print_function

import glob
import os
import runpy
import sys

# marker looked for by scripts/ansible_test.sh: backupops-veeam-em-get-pip


def bundled_pip_wheel():
    import ensurepip  # pylint: disable=import-outside-toplevel

    wheels = glob.glob(os.path.join(os.path.dirname(ensurepip.__file__), "_bundled", "pip-*.whl"))
    if not wheels:
        sys.exit("get-pip stand-in: this Python has no bundled pip wheel in ensurepip")
    return sorted(wheels)[-1]


def main():
    args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
    sys.path.insert(0, bundled_pip_wheel())
    sys.argv = ["pip", "install", "--upgrade", "--force-reinstall", "--no-warn-script-location"] + args
    runpy.run_module("pip", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
