"""Admin screens for grants and the access history, and the pieces the case admins share.

Only access managers see grants, change them or run the access actions. Every change goes through
`grants.services`, so the admin validates and records exactly as the business pages do: the grant
forms, the inlines, the actions and guardian's object-permission pages all call the services.
"""

from functools import partial

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from . import services
from .admin_forms import (
    BulkGrantForm,
    GrantForm,
    GrantInlineFormSet,
    IdAutocompleteSelect,
    ObjectLevelForm,
    subject_of,
)
from .models import AccessEvent, CaseGroupGrant, CaseUserGrant, DefinitionGroupGrant, DefinitionUserGrant
from .policy import cases_user_can_read, is_access_manager
from .signals import GRANT_MODELS


class AccessManagersOnlyMixin:
    """Open a screen to access managers only, whatever model permissions a staff user holds."""

    def has_module_permission(self, request):
        return is_access_manager(request.user)

    def has_view_permission(self, request, obj=None):
        return is_access_manager(request.user)

    def has_add_permission(self, request, obj=None):
        return is_access_manager(request.user)

    def has_change_permission(self, request, obj=None):
        return is_access_manager(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_access_manager(request.user)


# Inlines of grants on one definition or one case


class GrantInline(AccessManagersOnlyMixin, admin.TabularInline):
    form = GrantForm
    formset = GrantInlineFormSet
    extra = 0
    readonly_fields = ["granted_by", "granted_at"]
    verbose_name_plural = gettext_lazy("grants")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("permission", "granted_by", self.subject_field)


class UserGrantInline(GrantInline):
    subject_field = "user"
    fields = ["user", "level", "granted_by", "granted_at"]
    autocomplete_fields = ["user"]
    verbose_name = gettext_lazy("user grant")
    verbose_name_plural = gettext_lazy("user grants")


class GroupGrantInline(GrantInline):
    subject_field = "group"
    fields = ["group", "level", "granted_by", "granted_at"]
    autocomplete_fields = ["group"]
    verbose_name = gettext_lazy("group grant")
    verbose_name_plural = gettext_lazy("group grants")


class DefinitionUserGrantInline(UserGrantInline):
    model = DefinitionUserGrant


class DefinitionGroupGrantInline(GroupGrantInline):
    model = DefinitionGroupGrant


class CaseUserGrantInline(UserGrantInline):
    model = CaseUserGrant


class CaseGroupGrantInline(GroupGrantInline):
    model = CaseGroupGrant


# Shared by the definition and case admins


class AccessManagementMixin:
    """Save grant inlines through the services and keep guardian's pages for access managers.

    Put it before guardian's `GuardedModelAdminMixin` in the bases of a ModelAdmin.
    """

    change_form_template = "admin/grants/change_form.html"

    def has_manage_access_permission(self, request):
        """Allow the actions marked `permissions=["manage_access"]` to access managers only."""
        return is_access_manager(request.user)

    def save_formset(self, request, form, formset, change):
        if isinstance(formset, GrantInlineFormSet):
            formset.save_through_services(request.user)
        else:
            super().save_formset(request, form, formset, change)

    def get_deleted_objects(self, objs, request):
        """Let deleting a target take its grants along, since the signals record them as deleted with it."""
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        grant_names = {model._meta.verbose_name for model in GRANT_MODELS}
        return deleted, model_count, perms_needed - grant_names, protected

    def render_change_form(self, request, context, *args, **kwargs):
        context["show_object_permissions"] = is_access_manager(request.user)
        return super().render_change_form(request, context, *args, **kwargs)

    # Guardian's object-permission pages, with a level form that saves through the services.

    def obj_perms_manage_view(self, request, object_pk):
        _require_access_manager(request)
        self._require_valid_key(object_pk)
        return super().obj_perms_manage_view(request, object_pk)

    def obj_perms_manage_user_view(self, request, object_pk, user_id):
        _require_access_manager(request)
        self._require_valid_key(object_pk)
        return super().obj_perms_manage_user_view(request, object_pk, user_id)

    def obj_perms_manage_group_view(self, request, object_pk, group_id):
        _require_access_manager(request)
        self._require_valid_key(object_pk)
        return super().obj_perms_manage_group_view(request, object_pk, group_id)

    def _require_valid_key(self, object_pk):
        # Guardian looks the object up with the raw key, and a malformed UUID would raise there. It gets
        # the same 404 as an unknown key instead.
        try:
            self.model._meta.pk.to_python(object_pk)
        except ValidationError:
            message = _("No %(name)s has the key %(key)s.") % {"name": self.model._meta.verbose_name, "key": object_pk}
            raise Http404(message) from None

    def get_obj_perms_manage_user_form(self, request):
        return partial(ObjectLevelForm, actor=request.user)

    def get_obj_perms_manage_group_form(self, request):
        return partial(ObjectLevelForm, actor=request.user)


def _require_access_manager(request):
    # 403 and not 404 is safe here because the check runs before the target is looked up, so every
    # key gets the same answer and no case is revealed.
    if not is_access_manager(request.user):
        raise PermissionDenied(_("Only access managers may change access."))


# Actions on the selected definitions


@admin.action(description=gettext_lazy("Switch access control on"), permissions=["manage_access"])
def switch_access_control_on(modeladmin, request, queryset):
    _set_access_control(modeladmin, request, queryset, enabled=True)


@admin.action(description=gettext_lazy("Switch access control off"), permissions=["manage_access"])
def switch_access_control_off(modeladmin, request, queryset):
    _set_access_control(modeladmin, request, queryset, enabled=False)


def _set_access_control(modeladmin, request, queryset, enabled):
    with transaction.atomic():
        changes = [services.set_access_control(request.user, definition, enabled) for definition in queryset]

    changed = sum(1 for change in changes if change.changed)
    state = _("on") if enabled else _("off")
    message = ngettext(
        "Access control switched %(state)s on %(count)d definition.",
        "Access control switched %(state)s on %(count)d definitions.",
        changed,
    ) % {"state": state, "count": changed}
    if changed < len(changes):
        message += " " + _("%(count)d already had it %(state)s.") % {"count": len(changes) - changed, "state": state}
    modeladmin.message_user(request, message, messages.SUCCESS)


@admin.action(description=gettext_lazy("Grant a user or group access"), permissions=["manage_access"])
def grant_on_selected_definitions(modeladmin, request, queryset):
    """Ask for a subject and a level, show what will be granted, then grant it on every definition."""
    step = request.POST.get("step")
    form = BulkGrantForm(request.POST if step else None, admin_site=modeladmin.admin_site)
    definitions = list(queryset)

    if step == "apply" and form.is_valid():
        try:
            _grant_on_definitions(modeladmin, request, form, definitions)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return None  # The admin redirects back to the change list.

    reviewing = step in ("review", "apply") and form.is_valid()
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("Confirm the grant") if reviewing else _choice_title(len(definitions)),
        "opts": modeladmin.model._meta,
        "form": form,
        "media": modeladmin.media + form.media,
        "definitions": definitions,
        "reviewing": reviewing,
        "subject": form.cleaned_subject() if reviewing else None,
        "level": form.cleaned_level() if reviewing else None,
        "action_name": "grant_on_selected_definitions",
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
    }
    request.current_app = modeladmin.admin_site.name
    return TemplateResponse(request, "admin/grants/grant_on_definitions.html", context)


def _choice_title(count):
    return ngettext(
        "Grant access to %(count)d definition", "Grant access to %(count)d definitions", count
    ) % {"count": count}


def _grant_on_definitions(modeladmin, request, form, definitions):
    subject, level = form.cleaned_subject(), form.cleaned_level()
    with transaction.atomic():
        changes = [services.grant(request.user, subject, definition, level) for definition in definitions]

    changed = sum(1 for change in changes if change.changed)
    message = ngettext(
        "%(subject)s now has %(level)s access on %(count)d more definition.",
        "%(subject)s now has %(level)s access on %(count)d more definitions.",
        changed,
    ) % {"subject": subject, "level": level.label.lower(), "count": changed}
    if changed < len(changes):
        message += " " + _("%(count)d already had that level.") % {"count": len(changes) - changed}
    modeladmin.message_user(request, message, messages.SUCCESS)

    uncontrolled = [definition.name for definition in definitions if not definition.access_controlled]
    if uncontrolled:
        modeladmin.message_user(
            request,
            _("Access control is off on %(names)s, so model permissions decide there until it is switched on.")
            % {"names": ", ".join(uncontrolled)},
            messages.WARNING,
        )


# The grant models on their own


class GrantAdmin(AccessManagersOnlyMixin, admin.ModelAdmin):
    """Grants of one kind, listed across targets. Saving and deleting go through the services."""

    form = GrantForm
    readonly_fields = ["granted_by", "granted_at"]
    list_select_related = ["permission", "granted_by"]
    date_hierarchy = "granted_at"

    def get_fields(self, request, obj=None):
        return [self.subject_field, "content_object", "level", "granted_by", "granted_at"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = IdAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        # A grant belongs to one subject and target, so moving it is a revoke and a new grant.
        return [self.subject_field, "content_object", *self.readonly_fields]

    def get_list_display(self, request):
        return [self.subject_field, "content_object", "level_display", "granted_by", "granted_at"]

    @admin.display(description=gettext_lazy("level"), ordering="permission__codename")
    def level_display(self, grant_row):
        return grant_row.level.label

    def save_model(self, request, obj, form, change):
        target = obj.content_object
        result = services.grant(request.user, subject_of(obj), target, form.cleaned_level())
        # The admin logs and links the saved object, which is the service's row and not this form's.
        obj.pk, obj.permission, obj.granted_by = result.grant.pk, result.grant.permission, result.grant.granted_by

    def delete_model(self, request, obj):
        services.revoke(request.user, subject_of(obj), obj.content_object)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for grant_row in queryset.select_related(self.subject_field, "content_object"):
                services.revoke(request.user, subject_of(grant_row), grant_row.content_object)


class DefinitionGrantAdmin(GrantAdmin):
    autocomplete_fields = ["content_object"]
    list_filter = ["content_object", "permission__codename"]


class CaseGrantAdmin(GrantAdmin):
    autocomplete_fields = ["content_object"]
    list_filter = [("content_object__definition", admin.RelatedOnlyFieldListFilter), "permission__codename"]

    def get_queryset(self, request):
        # A manager reaches only the cases he may read, so the grants on other cases stay hidden.
        readable = cases_user_can_read(request.user).values("pk")
        return super().get_queryset(request).filter(content_object__in=readable)


@admin.register(DefinitionUserGrant)
class DefinitionUserGrantAdmin(DefinitionGrantAdmin):
    subject_field = "user"
    autocomplete_fields = ["user", "content_object"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "content_object__name"]
    list_select_related = [*GrantAdmin.list_select_related, "user", "content_object"]


@admin.register(DefinitionGroupGrant)
class DefinitionGroupGrantAdmin(DefinitionGrantAdmin):
    subject_field = "group"
    autocomplete_fields = ["group", "content_object"]
    search_fields = ["group__name", "content_object__name"]
    list_select_related = [*GrantAdmin.list_select_related, "group", "content_object"]


@admin.register(CaseUserGrant)
class CaseUserGrantAdmin(CaseGrantAdmin):
    subject_field = "user"
    autocomplete_fields = ["user", "content_object"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "content_object__number"]
    list_select_related = [*GrantAdmin.list_select_related, "user", "content_object"]


@admin.register(CaseGroupGrant)
class CaseGroupGrantAdmin(CaseGrantAdmin):
    subject_field = "group"
    autocomplete_fields = ["group", "content_object"]
    search_fields = ["group__name", "content_object__number"]
    list_select_related = [*GrantAdmin.list_select_related, "group", "content_object"]


# The access history


@admin.register(AccessEvent)
class AccessEventAdmin(admin.ModelAdmin):
    """The access history, read-only, for access managers."""

    list_display = ["occurred_at", "actor_name", "action", "subject_name", "target_name", "old_level", "new_level"]
    list_filter = [
        ("actor", admin.RelatedOnlyFieldListFilter),
        "action",
        ("definition", admin.RelatedOnlyFieldListFilter),
        "occurred_at",
    ]
    search_fields = ["subject_name"]
    date_hierarchy = "occurred_at"

    def get_queryset(self, request):
        # Events of cases the manager cannot read are left out, so the history reveals no such case.
        # Events of deleted cases stay, because their case is NULL and only its number remains.
        readable = cases_user_can_read(request.user).values("pk")
        return super().get_queryset(request).filter(Q(case__isnull=True) | Q(case__in=readable))

    def has_module_permission(self, request):
        return is_access_manager(request.user)

    def has_view_permission(self, request, obj=None):
        return is_access_manager(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
