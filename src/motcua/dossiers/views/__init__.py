"""Staff screens of the dossiers (/can-bo/ho-so/, routes in ``dossiers.urls``).

- ``boxes``: the inboxes, the search and the counts of the side navigation;
- ``intake``: counter intake, with its due preview and the lookup of a known applicant;
- ``detail``: the dossier page and the scans of its components (``screen``: the dossier as the page
  shows it, with its action panels);
- ``actions``: one use case of ``dossiers.services`` per POST.

Reads go through ``dossiers.selectors``, scoped to the user's units; writes go through
``dossiers.services`` only; a dossier's times come from ``dossiers.clock``. These screens extend the
staff workspace's layout (``staff/base_staff.html``) and import nothing above the dossiers app.
"""
