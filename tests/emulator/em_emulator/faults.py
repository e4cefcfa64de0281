# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fault injection for reliability tests: latency, error answers, dropped connections, cut bodies."""

import random
import threading

NONE = None
DROP = "drop"
ERROR = "error"
TRUNCATE = "truncate"


class Faults(object):
    def __init__(self, latency_ms=0.0, error_rate=0.0, drop_rate=0.0, truncate_rate=0.0, error_status=503, seed=42):
        for name, rate in (("error-rate", error_rate), ("drop-rate", drop_rate), ("truncate-rate", truncate_rate)):
            if not 0.0 <= rate <= 1.0:
                raise ValueError("--%s must be between 0 and 1" % name)
        if latency_ms < 0:
            raise ValueError("--latency must not be negative")
        if error_status not in (500, 503):
            raise ValueError("--error-status must be 500 or 503")
        self.latency = latency_ms / 1000.0
        self.error_rate = error_rate
        self.drop_rate = drop_rate
        self.truncate_rate = truncate_rate
        self.error_status = error_status
        self.rng = random.Random(seed)
        self.lock = threading.Lock()

    @property
    def active(self):
        return bool(self.latency or self.error_rate or self.drop_rate or self.truncate_rate)

    def decide(self):
        """What to do with the next /api/ request: None, DROP, ERROR or TRUNCATE."""
        with self.lock:
            if self.drop_rate and self.rng.random() < self.drop_rate:
                return DROP
            if self.error_rate and self.rng.random() < self.error_rate:
                return ERROR
            if self.truncate_rate and self.rng.random() < self.truncate_rate:
                return TRUNCATE
        return NONE
