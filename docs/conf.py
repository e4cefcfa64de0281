# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Sphinx configuration of the collection's docs site (built by ``make docs``).

scripts/docs.sh generates the RST sources with antsibull-docs (one page per
module, role and plugin, the collection index, environment variables) into
build/docs/rst and builds the HTML site from them with this configuration.
Made with ``antsibull-docs sphinx-init``.

Intersphinx is off so the site builds offline.  The pages antsibull-docs
writes refer to a few labels of the Ansible documentation (for example
``common_return_values``) and to other collections' plugins; without
intersphinx those would be unresolved references, so a small handler links
them to docs.ansible.com.  Every other unresolved reference stays a warning,
and scripts/docs.sh treats warnings as errors.
"""

from __future__ import absolute_import, division, print_function

import re

from docutils import nodes

project = 'backupops.veeam_em'
copyright = '2026, backupops maintainers'  # pylint: disable=redefined-builtin

title = 'backupops.veeam_em'
html_short_title = 'backupops.veeam_em'

extensions = ['sphinx.ext.autodoc', 'sphinx.ext.intersphinx', 'sphinx_antsibull_ext']

pygments_style = 'ansible'

highlight_language = 'YAML+Jinja'

html_theme = 'sphinx_ansible_theme'
html_show_sphinx = False

display_version = False

html_use_smartypants = True
html_use_modindex = False
html_use_index = False
html_copy_source = False

# no inventories are fetched: the site builds without network access
intersphinx_mapping = {}

default_role = 'any'

nitpicky = True

ANSIBLE_DOCS = 'https://docs.ansible.com/ansible/latest/'

# labels of the Ansible documentation used by antsibull-docs' templates
ANSIBLE_LABELS = {
    'action_plugins': ('reference_appendices/glossary.html', 'action plugins'),
    'ansible_configuration_settings': ('reference_appendices/config.html', 'Ansible configuration settings'),
    'callback_plugins': ('plugins/callback.html', 'callback plugins'),
    'collections_keyword': ('reference_appendices/playbooks_keywords.html', 'collections keyword'),
    'common_return_values': ('reference_appendices/common_return_values.html', 'common return values'),
    'list_of_callback_plugins': ('collections/index_callback.html', 'callback plugins'),
    'list_of_collections': ('collections/index.html', 'collections'),
}

# ansible_collections.NAMESPACE.NAME.PLUGIN_TYPE (another collection's plugin page)
OTHER_PLUGIN = re.compile(r'^ansible_collections\.([a-z0-9_]+)\.([a-z0-9_]+)\.([a-z0-9_]+)_([a-z]+)$')


def resolve_ansible_reference(app, env, node, contnode):  # pylint: disable=unused-argument
    """Link references to the Ansible documentation, which is not part of this site."""
    if node.get('refdomain') != 'std' or node.get('reftype') != 'ref':
        return None
    target = node.get('reftarget', '')
    text = None
    if target in ANSIBLE_LABELS:
        path, text = ANSIBLE_LABELS[target]
        url = ANSIBLE_DOCS + path
    else:
        match = OTHER_PLUGIN.match(target)
        if not match or match.group(1, 2) == ('backupops', 'veeam_em'):
            return None
        url = ANSIBLE_DOCS + 'collections/%s/%s/%s_%s.html' % match.groups()
    reference = nodes.reference('', '', internal=False, refuri=url)
    if node.get('refexplicit') or text is None:
        reference += contnode.deepcopy()
    else:
        reference += nodes.inline(text, text)
    return reference


def setup(app):
    """Register the handler for references to the Ansible documentation."""
    app.connect('missing-reference', resolve_ansible_reference)
