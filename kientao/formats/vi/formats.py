"""Vietnamese formats: Django's, plus thousands grouped with a dot (1.234,5) as in Viet Nam."""

from django.conf.locale.vi.formats import *  # noqa: F403

NUMBER_GROUPING = 3
THOUSAND_SEPARATOR = "."
DECIMAL_SEPARATOR = ","
