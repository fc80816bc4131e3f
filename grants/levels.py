"""Access levels and the guardian permissions that stand for them on each kind of target."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    """The access a user has on a case. Higher values include the lower ones: write includes read."""

    NONE = 0, _("No access")
    READ = 1, _("Read")
    WRITE = 2, _("Write")

    @property
    def slug(self):
        """Return the name used in forms, URLs and the API: "none", "read" or "write"."""
        return self.name.lower()

    @classmethod
    def parse(cls, value):
        """Return the grantable level named by `value` ("read" or "write"), or raise ValueError."""
        if isinstance(value, cls) and value != cls.NONE:
            return value
        by_slug = {"read": cls.READ, "write": cls.WRITE}
        try:
            return by_slug[str(value).strip().lower()]
        except KeyError:
            raise ValueError(f"{value!r} is not a level. Use 'read' or 'write'.") from None


# Codenames of the guardian permission that a grant row holds, by level and target model. A grant on a
# definition uses the definition's custom permissions; a grant on one case uses the case model's own.
DEFINITION_CODENAMES = {Level.READ: "read_cases", Level.WRITE: "write_cases"}
CASE_CODENAMES = {Level.READ: "view_caseinstance", Level.WRITE: "change_caseinstance"}

# Model permissions that open the cases of a definition whose access control is off, by level.
MODEL_CODENAMES = {Level.READ: "view_caseinstance", Level.WRITE: "change_caseinstance"}

LEVEL_BY_CODENAME = {codename: level for codenames in (DEFINITION_CODENAMES, CASE_CODENAMES)
                     for level, codename in codenames.items()}


def codenames_at_least(codenames, level):
    """Return the codenames of `level` and of every higher level, since write includes read."""
    return [codename for granted, codename in codenames.items() if granted >= level]
