"""The screens that moved out of staff/ to the apps that own them keep their addresses byte for byte."""

import pytest
from django.urls import NoReverseMatch, resolve, reverse


@pytest.mark.parametrize(
    ("name", "args", "path", "module"),
    [
        ("catalogue:procedures", [], "/can-bo/thu-tuc/", "motcua.catalogue.views"),
        ("catalogue:procedure", ["1.001"], "/can-bo/thu-tuc/1.001/", "motcua.catalogue.views"),
        ("workdays:calendar", [], "/can-bo/lich/", "motcua.workdays.views"),
        ("workdays:due", [], "/can-bo/lich/tinh-han/", "motcua.workdays.views"),
        ("units:list", [], "/can-bo/don-vi/", "motcua.core.views_units"),
    ],
)
def test_moved_screens_keep_their_paths(name, args, path, module):
    assert reverse(name, args=args) == path
    match = resolve(path)
    assert f"{match.namespace}:{match.url_name}" == name
    assert match.func.__module__ == module


@pytest.mark.parametrize(
    "name", ["staff:procedures", "staff:procedure", "staff:calendar", "staff:due", "staff:units"]
)
def test_the_old_names_are_gone(name):
    with pytest.raises(NoReverseMatch):
        reverse(name, args=["1.001"] if name == "staff:procedure" else [])
