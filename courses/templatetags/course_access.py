"""``{% access_line enrollment status %}``: the one wording of an enrollment's end
(``courses.access.access_line``) in the active (workspace) time zone."""

from django import template
from django.utils import timezone

from ..access import access_line as _access_line

register = template.Library()


@register.simple_tag
def access_line(enrollment, status, learner=False):
    if enrollment is None:
        return ""
    return _access_line(enrollment, status=status, zone=timezone.get_current_timezone(), learner=learner)
