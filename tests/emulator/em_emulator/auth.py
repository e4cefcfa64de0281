# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Users, Basic authentication and logon sessions (http_authentication, logging_on, logonSessions)."""

import base64
import binascii
import collections
import hmac
import threading
import uuid

PORTAL_ADMINISTRATOR = "Portal Administrator"
RESTORE_OPERATOR = "Restore Operator"
DOMAIN = "EMULATOR"


class User(object):
    __slots__ = ("name", "password", "role")

    def __init__(self, name, password, role):
        self.name = name
        self.password = password
        self.role = role

    @property
    def can_stop(self):
        return self.role == PORTAL_ADMINISTRATOR


class LogonSession(object):
    """One logon session; ``token`` is the X-RestSvcSessionId value, ``session_id`` its GUID."""

    __slots__ = ("session_id", "token", "user", "version", "created", "last_seen", "tasks", "task_counter")

    def __init__(self, user, version, now):
        self.session_id = str(uuid.uuid4())
        # EM 12+ tokens are the base64 form of a GUID string (see the example headers of the pages).
        self.token = base64.b64encode(str(uuid.uuid4()).encode("ascii")).decode("ascii")
        self.user = user
        self.version = version
        self.created = now
        self.last_seen = now
        self.tasks = collections.OrderedDict()
        self.task_counter = 0

    @property
    def display_name(self):
        return DOMAIN + "\\" + self.user.name


class Auth(object):
    def __init__(self, users, idle_timeout, clock):
        self.users = dict((u.name.lower(), u) for u in users)
        self.idle_timeout = idle_timeout
        self.clock = clock
        self.lock = threading.Lock()
        self.by_token = {}

    def check_basic(self, header):
        """The User for a ``Basic`` Authorization header with valid credentials, else None."""
        if not header:
            return None
        scheme, _sep, value = header.strip().partition(" ")
        if scheme.lower() != "basic" or not value:
            return None
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, ValueError, UnicodeDecodeError):
            return None
        name, sep, password = decoded.partition(":")
        if not sep:
            return None
        if "\\" in name:
            name = name.split("\\", 1)[1]
        elif "@" in name:
            name = name.split("@", 1)[0]
        user = self.users.get(name.lower())
        if user is None:
            return None
        if not hmac.compare_digest(user.password.encode("utf-8"), password.encode("utf-8")):
            return None
        return user

    def logon(self, user, version):
        ls = LogonSession(user, version, self.clock())
        with self.lock:
            self.by_token[ls.token] = ls
        return ls

    def _expired(self, ls, now):
        return self.idle_timeout > 0 and now - ls.last_seen > self.idle_timeout

    def resolve(self, token):
        """The live logon session of a token (touching it), or None (unknown or expired)."""
        if not token:
            return None
        now = self.clock()
        with self.lock:
            ls = self.by_token.get(token)
            if ls is None:
                return None
            if self._expired(ls, now):
                del self.by_token[token]
                return None
            ls.last_seen = now
            return ls

    def find(self, session_id):
        now = self.clock()
        with self.lock:
            for ls in self.by_token.values():
                if ls.session_id == session_id.lower() and not self._expired(ls, now):
                    return ls
        return None

    def visible_to(self, ls):
        """Logon sessions a caller may see: those of the same user."""
        now = self.clock()
        with self.lock:
            return [x for x in self.by_token.values() if x.user is ls.user and not self._expired(x, now)]

    def logout(self, ls):
        with self.lock:
            return self.by_token.pop(ls.token, None) is not None

    def open_count(self):
        now = self.clock()
        with self.lock:
            for token in [t for t, ls in self.by_token.items() if self._expired(ls, now)]:
                del self.by_token[token]
            return len(self.by_token)

    def reset(self):
        with self.lock:
            self.by_token.clear()
