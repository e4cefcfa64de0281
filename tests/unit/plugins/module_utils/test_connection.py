# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
from ansible.module_utils.errors import AnsibleFallbackNotFound

from ansible_collections.backupops.veeam_em.plugins.module_utils._connection import (
    ConnectionOptions,
    connection_argument_spec,
    env_fallback,
)
from ansible_collections.backupops.veeam_em.plugins.module_utils._errors import VeeamEmError


def test_argument_spec_is_a_copy_with_env_fallbacks():
    spec = connection_argument_spec()
    spec["server"]["aliases"].append("x")
    assert connection_argument_spec()["server"]["aliases"] == ["host", "hostname"]
    spec["server"]["aliases"].remove("x")
    envs = dict((name, opt["fallback"][1][0]) for name, opt in spec.items() if "fallback" in opt)
    assert envs == {
        "server": "VEEAM_EM_SERVER", "port": "VEEAM_EM_PORT", "protocol": "VEEAM_EM_PROTOCOL",
        "user": "VEEAM_EM_USER", "password": "VEEAM_EM_PASSWORD", "validate_certs": "VEEAM_EM_VALIDATE_CERTS",
        "ca_path": "VEEAM_EM_CA_PATH", "timeout": "VEEAM_EM_TIMEOUT", "session_token": "VEEAM_EM_SESSION_TOKEN",
    }
    assert spec["password"]["no_log"] and spec["session_token"]["no_log"]
    assert spec["server"]["aliases"] == ["host", "hostname"] and spec["user"]["aliases"] == ["username"]


def test_base_url_and_verify(tmp_path):
    ca = tmp_path / "ca.pem"
    ca.write_text(u"x")
    assert ConnectionOptions("em").base_url == "https://em:9398/api"
    assert ConnectionOptions("em", 9399, "http").base_url == "http://em:9399/api"
    assert ConnectionOptions("::1").base_url == "https://[::1]:9398/api"
    assert ConnectionOptions("em").verify is True
    assert ConnectionOptions("em", ca_path=str(ca)).verify == str(ca)
    assert ConnectionOptions("em", validate_certs=False, ca_path=str(ca)).verify is False


@pytest.mark.parametrize("kwargs, fragment", [
    (dict(server=""), "server is required"),
    (dict(server="https://em"), "without scheme, path or spaces"),
    (dict(server="em", port=0), "port must be between"),
    (dict(server="em", port=70000), "port must be between"),
    (dict(server="em", timeout=0), "timeout must be"),
    (dict(server="em", ca_path="/nonexistent/ca.pem"), "ca_path /nonexistent/ca.pem does not exist"),
])
def test_invalid_options(kwargs, fragment):
    with pytest.raises(VeeamEmError) as err:
        ConnectionOptions(**kwargs)
    assert fragment in err.value.msg


@pytest.mark.parametrize("user, password, fragment", [
    (None, None, "user and password are required"),
    ("u", None, "password is required to log on to Enterprise Manager: set the option, the environment variable VEEAM_EM_PASSWORD"),
    (None, "p", "user is required"),
])
def test_require_credentials(user, password, fragment):
    with pytest.raises(VeeamEmError) as err:
        ConnectionOptions("em", user=user, password=password).require_credentials()
    assert fragment in err.value.msg


def test_empty_token_counts_as_none():
    assert ConnectionOptions("em", session_token="").session_token is None
    ConnectionOptions("em", user="u", password="p").require_credentials()


def test_an_empty_environment_variable_counts_as_unset(monkeypatch):
    monkeypatch.setenv("VEEAM_EM_PORT", " ")
    monkeypatch.setenv("VEEAM_EM_TIMEOUT", "12")
    with pytest.raises(AnsibleFallbackNotFound):
        env_fallback("VEEAM_EM_PORT")
    assert env_fallback("VEEAM_EM_PORT", "VEEAM_EM_TIMEOUT") == "12"


@pytest.mark.parametrize("server, host, port", [
    ("em.example.com:9399", "em.example.com", 9399),
    ("[2001:db8::1]:9400", "2001:db8::1", 9400),
    ("2001:db8::1", "2001:db8::1", 9398),
    (" em.example.com\n", "em.example.com", 9398),
])
def test_server_with_port(server, host, port):
    options = ConnectionOptions(server=server)
    assert (options.server, options.port) == (host, port)


@pytest.mark.parametrize("server, port, href", [
    ("em.example.com", None, "https://em.example.com:9398/api/jobs/x"),
    ("em.example.com", None, " HTTPS://EM.Example.COM/api/jobs/x?format=Entity\n"),
    ("em.example.com:9399", None, "http://em.example.com:9399/api/jobs/x"),
    ("::1", 9398, "https://[::1]:9398/api/jobs/x"),
    ("[::1]:8443", None, "https://[::1]/api/jobs/x"),
])
def test_href_of_this_server_is_accepted(server, port, href):
    ConnectionOptions(server, port=port).check_href(href, "id")


@pytest.mark.parametrize("server, href", [
    ("em.example.com", "https://em2.example.com:9398/api/jobs/x"),
    ("em.example.com", "https://em.example.com:9399/api/jobs/x"),
    ("em.example.com", "https://em.example.com.evil.example/api/jobs/x"),
    ("em.example.com", "https://em.example.com@evil.example/api/jobs/x"),
    ("em.example.com", "https://em.example.com:x/api/jobs/x"),
    ("em", "https://em.example.com/api/jobs/x"),  # the same host, maybe, but not the same name: not guessed
    ("10.0.0.1", "https://[::1]/api/jobs/x"),
])
def test_href_of_another_server_is_refused(server, href):
    with pytest.raises(VeeamEmError) as err:
        ConnectionOptions(server).check_href(href, "job_session_id")
    assert err.value.msg.startswith("job_session_id %r is the Href of another Enterprise Manager than server "
                                    % href.strip())


@pytest.mark.parametrize("value", [None, "", "4856ab37-2235-45e8-affe-d515878b01a9", "urn:veeam:Job:x", 5, ["https://x/"]])
def test_values_that_are_no_href_are_left_to_the_id_check(value):
    ConnectionOptions("em.example.com").check_href(value, "id")
