"""Admin screens for users, case definitions and cases, following `grants.policy` like every page.

A staff user who is not a superuser sees the cases the policy lets him read and changes those he may
write. Grants, access control and guardian's object-permission pages are for access managers, and
their changes go through `grants.services` (see `grants.admin`).
"""

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from guardian.admin import GuardedModelAdminMixin

from grants import services
from grants.admin import (
    AccessManagementMixin,
    CaseGroupGrantInline,
    CaseUserGrantInline,
    DefinitionGroupGrantInline,
    DefinitionUserGrantInline,
    grant_on_selected_definitions,
    switch_access_control_off,
    switch_access_control_on,
)
from grants.levels import Level
from grants.models import DefinitionGroupGrant, DefinitionUserGrant
from grants.policy import (
    annotate_definition_levels,
    cases_user_can_read,
    definitions_user_can_see,
    is_access_manager,
)

from .models import CaseDefinition, CaseInstance, User


def _is_grant_autocomplete(request):
    """Return True for an autocomplete lookup made from a grant form, which offers subjects to grant."""
    match = request.resolver_match
    return match is not None and match.url_name == "autocomplete" and request.GET.get("app_label") == "grants"


class SubjectLookupMixin:
    """Let access managers look users or groups up from the grant forms, without opening their admin."""

    def has_view_permission(self, request, obj=None):
        if obj is None and _is_grant_autocomplete(request) and is_access_manager(request.user):
            return True
        return super().has_view_permission(request, obj)


@admin.register(User)
class UserAdmin(SubjectLookupMixin, DjangoUserAdmin):
    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if _is_grant_autocomplete(request):
            # Inactive users cannot receive grants, so the grant forms do not offer them.
            queryset = queryset.filter(is_active=True)
        return queryset, may_have_duplicates


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(SubjectLookupMixin, DjangoGroupAdmin):
    pass


# Case definitions


@admin.register(CaseDefinition)
class CaseDefinitionAdmin(AccessManagementMixin, GuardedModelAdminMixin, admin.ModelAdmin):
    list_display = ["name", "case_prefix", "access_controlled", "case_count", "grant_count"]
    list_filter = ["access_controlled", "created_at"]
    search_fields = ["name", "case_prefix", "description"]
    fields = ["name", "case_prefix", "description", "access_controlled"]
    inlines = [DefinitionUserGrantInline, DefinitionGroupGrantInline]
    actions = [switch_access_control_on, switch_access_control_off, grant_on_selected_definitions]

    def get_queryset(self, request):
        # Access managers see every definition. Other staff users, whatever model permissions they
        # hold, see the definitions on which they read a case, as in the case list's filter, so that
        # the list, the autocomplete and the change pages reveal no other definition.
        definitions = super().get_queryset(request)
        if not is_access_manager(request.user):
            definitions = definitions.filter(pk__in=definitions_user_can_see(request.user).values("pk"))
        counted = definitions.annotate(
            case_count=self._readable_case_count(request.user),
            grant_count=_grant_count(DefinitionUserGrant) + _grant_count(DefinitionGroupGrant),
        )
        # Meta.ordering does not apply to GROUP BY queries, and the autocomplete pages this queryset.
        return counted.order_by(*CaseDefinition._meta.ordering)

    @staticmethod
    def _readable_case_count(user):
        # Counting only readable cases keeps the column from revealing cases the user may not see.
        readable = cases_user_can_read(user).values("pk")
        return Count("cases", filter=Q(cases__in=readable), distinct=True)

    @admin.display(description=_("readable cases"), ordering="case_count")
    def case_count(self, definition):
        return definition.case_count

    @admin.display(description=_("grants"), ordering="grant_count")
    def grant_count(self, definition):
        return definition.grant_count

    def get_list_display(self, request):
        if is_access_manager(request.user):
            return self.list_display
        return [column for column in self.list_display if column != "grant_count"]

    def has_module_permission(self, request):
        return is_access_manager(request.user) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return is_access_manager(request.user) or super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        # Access managers change grants and access control here, even without the model permission.
        return is_access_manager(request.user) or super().has_change_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        readonly = []
        if not is_access_manager(request.user):
            readonly.append("access_controlled")
        if obj is not None and not request.user.has_perm("casemgmt.change_casedefinition"):
            readonly.extend(["name", "case_prefix", "description"])
        return readonly

    def save_model(self, request, obj, form, change):
        """Save the definition, and switch its access control through the services if it changed."""
        requested = obj.access_controlled
        stored = CaseDefinition.objects.filter(pk=obj.pk).values_list("access_controlled", flat=True).first()
        # A new definition starts under access control (deny by default) until the service switches it off.
        obj.access_controlled = True if stored is None else stored
        super().save_model(request, obj, form, change)
        if requested != obj.access_controlled:
            services.set_access_control(request.user, obj, requested)
            obj.refresh_from_db(fields=["access_controlled"])


def _grant_count(grant_model):
    grants = grant_model.objects.filter(content_object=OuterRef("pk")).order_by().values("content_object")
    counted = grants.annotate(total=Count("pk")).values("total")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


# Cases


class VisibleDefinitionFilter(admin.SimpleListFilter):
    """Filter cases by definition, offering only the definitions the user can see."""

    title = _("definition")
    parameter_name = "definition"

    def lookups(self, request, model_admin):
        return [(str(pk), name) for pk, name in definitions_user_can_see(request.user).values_list("pk", "name")]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        return queryset.filter(definition_id=self.value())


@admin.register(CaseInstance)
class CaseInstanceAdmin(AccessManagementMixin, GuardedModelAdminMixin, admin.ModelAdmin):
    list_display = ["number", "title", "definition", "status", "priority", "created_at", "access_level_display"]
    list_filter = [VisibleDefinitionFilter, "status", "priority", "created_at"]
    list_select_related = ["definition"]
    search_fields = ["number", "title"]
    date_hierarchy = "created_at"
    inlines = [CaseUserGrantInline, CaseGroupGrantInline]

    def get_queryset(self, request):
        # Every screen reads cases through this queryset: the list, the change, history and delete
        # pages, guardian's pages and the autocomplete. An unreadable case is then "not found".
        return cases_user_can_read(request.user, super().get_queryset(request))

    @admin.display(description=_("your access"), ordering="access_level")
    def access_level_display(self, case):
        return Level(case.access_level).label

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["number"]
        # Moving a case to another definition changes who reaches it, so it is not an edit here.
        return ["number", "definition", "created_by", "created_at", "updated_at"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["definition", "title", "status", "priority"]
        return ["number", "definition", "title", "status", "priority", "created_by", "created_at", "updated_at"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "definition" and not request.user.is_superuser:
            writable = annotate_definition_levels(CaseDefinition.objects.all(), request.user)
            kwargs["queryset"] = writable.filter(access_level__gte=Level.WRITE)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    # The list shows readable cases, and each object check follows the policy through the
    # authentication backend, so that read-only access gives a read-only change page.

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        if obj is None:
            return request.user.is_active and request.user.is_staff
        return request.user.has_perm("casemgmt.view_caseinstance", obj)

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return request.user.is_active and request.user.is_staff
        return request.user.has_perm("casemgmt.change_caseinstance", obj)

    def has_delete_permission(self, request, obj=None):
        if obj is None:
            return request.user.is_active and request.user.is_staff
        return request.user.has_perm("casemgmt.delete_caseinstance", obj)
