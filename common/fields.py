"""Form fields shared by the apps."""

from django import forms
from django.core.exceptions import ValidationError

# Primary keys are signed 64-bit integers on every database we run on.
ID_MIN, ID_MAX = -(2**63), 2**63 - 1


def out_of_id_range(value) -> bool:
    """Whether ``value`` is an integer that no primary key column can hold (non-integers are left
    to the field's own checks)."""
    try:
        number = int(str(value).strip())
    except ValueError:
        return False
    return not ID_MIN <= number <= ID_MAX


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's field, refusing ids no key column can hold before they reach the database:
    SQLite raises OverflowError on them in an IN list (a 500 instead of a field error)."""

    def _check_values(self, value):
        for pk in value:
            if isinstance(pk, (str, int)) and out_of_id_range(pk):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super()._check_values(value)
