# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A Veeam Backup Enterprise Manager REST API emulator (standard library + cryptography)."""

__version__ = "1.0.0"
