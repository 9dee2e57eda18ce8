"""Load every app's ``exports`` module so that ``registry.KINDS`` is complete."""

from django.utils.module_loading import autodiscover_modules

autodiscover_modules("exports")
