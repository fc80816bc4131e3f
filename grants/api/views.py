"""REST endpoints of casemgmt.

Every decision about access comes from `grants.policy` and every change of access goes through
`grants.services`, so the API allows exactly what the pages allow.
"""

from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from casemgmt.models import CaseDefinition, CaseInstance
from grants import policy, services
from grants.levels import Level
from grants.models import AccessAction, AccessEvent

from . import serializers as api
from .filters import AccessEventFilter, CaseFilter, FilterBackend, StrictOrderingFilter
from .permissions import CasePermission, DefinitionPermission, IsAccessManager
from .schema import subject_path_parameter, uuid_path_parameter, with_errors

# Path segments are matched loosely and checked in the view, so a malformed id gets the same JSON 404
# as an unknown one instead of Django's HTML 404 page.
ANY_SEGMENT = "[^/]+"
CASE_NOT_FOUND = gettext_lazy("Case not found.")
DEFINITION_NOT_FOUND = gettext_lazy("Definition not found.")


class ApiPagination(PageNumberPagination):
    """Pages of 50 rows. `page_size` requests up to 200 rows, larger values are cut to 200, and a non-number is 400."""

    page_size = 50
    page_size_query_param = "page_size"
    page_size_query_description = gettext_lazy("Number of results per page: 50 unless given, at most 200.")
    max_page_size = 200

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
            raise ValidationError({
                self.page_size_query_param: [
                    _('"%(value)s" is not a valid page size. Use a whole number from 1 to %(max)d.')
                    % {"value": raw, "max": self.max_page_size}
                ]
            })
        return min(int(raw), self.max_page_size)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
        return parameters


class ApiView:
    """Settings shared by every endpoint. Token comes first so that anonymous callers get 401."""

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    pagination_class = ApiPagination


@contextmanager
def service_errors(subject_field="non_field_errors"):
    """Turn the errors of `grants.services` into REST framework's 400, 403 and 404 responses."""
    try:
        yield
    except ObjectDoesNotExist as error:  # GrantNotFound, or a target deleted meanwhile
        raise NotFound(str(error)) from None
    except DjangoPermissionDenied as error:
        raise PermissionDenied(str(error)) from None
    except DjangoValidationError as error:
        code = getattr(error, "code", None)
        if code == "invalid_level":
            field = "level"
        elif code in {"inactive_user", "invalid_subject"}:
            field = subject_field
        else:
            field = "non_field_errors"
        raise ValidationError({field: error.messages}) from None


def get_or_not_found(queryset, pk, message):
    """Return the row with primary key `pk`, or raise 404 with `message`, malformed keys included."""
    try:
        return queryset.get(pk=pk)
    except (ObjectDoesNotExist, DjangoValidationError, ValueError, TypeError):
        raise NotFound(message) from None


# Definitions


@extend_schema_view(
    list=extend_schema(
        summary="List definitions",
        description="Access managers see every definition; other users see those on which they reach at "
        "least one case.",
        responses=with_errors({200: api.DefinitionSerializer(many=True)}, 400, 404),
    ),
    retrieve=extend_schema(
        summary="Get a definition",
        parameters=[uuid_path_parameter("id", "Id of the definition.")],
        responses=with_errors({200: api.DefinitionSerializer}, 404),
    ),
    create=extend_schema(
        summary="Create a definition",
        description="Access managers only. A new definition starts with access control on.",
        responses=with_errors({201: api.DefinitionSerializer}, 400, 403),
    ),
    update=extend_schema(
        summary="Replace a definition",
        parameters=[uuid_path_parameter("id", "Id of the definition.")],
        responses=with_errors({200: api.DefinitionSerializer}, 400, 403, 404),
    ),
    partial_update=extend_schema(
        summary="Change a definition",
        parameters=[uuid_path_parameter("id", "Id of the definition.")],
        responses=with_errors({200: api.DefinitionSerializer}, 400, 403, 404),
    ),
    destroy=extend_schema(
        summary="Delete a definition",
        description="Access managers only. Deletes its cases and grants too; the access history keeps their "
        "names.",
        parameters=[uuid_path_parameter("id", "Id of the definition.")],
        responses=with_errors({204: OpenApiResponse(description="Deleted.")}, 403, 404),
    ),
)
class DefinitionViewSet(ApiView, viewsets.ModelViewSet):
    serializer_class = api.DefinitionSerializer
    permission_classes = [IsAuthenticated, DefinitionPermission]
    filter_backends = []
    lookup_value_regex = ANY_SEGMENT
    lookup_url_kwarg = "id"

    def get_queryset(self):
        user = self.request.user
        definitions = api.definitions_visible_to(user)
        return policy.annotate_definition_levels(definitions, user).order_by("name")

    def get_object(self):
        definition = get_or_not_found(self.get_queryset(), self.kwargs["id"], DEFINITION_NOT_FOUND)
        self.check_object_permissions(self.request, definition)
        return definition

    @extend_schema(
        summary="Switch access control of a definition",
        description="Access managers only. On: only grants open the cases (deny by default). Off: the model "
        "permissions casemgmt.view_caseinstance and casemgmt.change_caseinstance decide, and grants are kept "
        "without effect. Switching to the current state changes and records nothing.",
        request=api.AccessControlSerializer,
        parameters=[uuid_path_parameter("id", "Id of the definition.")],
        responses=with_errors({200: api.DefinitionSerializer}, 400, 403, 404),
    )
    @action(detail=True, methods=["put"], url_path="access-control", serializer_class=api.AccessControlSerializer)
    def access_control(self, request, id=None):
        definition = self.get_object()
        body = api.AccessControlSerializer(data=request.data)
        body.is_valid(raise_exception=True)

        with service_errors():
            services.set_access_control(request.user, definition, body.validated_data["enabled"])

        definition = self.get_object()
        return Response(api.DefinitionSerializer(definition, context=self.get_serializer_context()).data)


# Cases


@extend_schema_view(
    list=extend_schema(
        summary="List the cases the caller can read",
        description="Cases the caller cannot read are left out. `access_level` is the caller's level.",
        responses=with_errors({200: api.CaseSerializer(many=True)}, 400, 404),
    ),
    retrieve=extend_schema(
        summary="Get a case",
        parameters=[uuid_path_parameter("id", "Id of the case.")],
        responses=with_errors({200: api.CaseSerializer}, 404),
    ),
    create=extend_schema(
        summary="Create a case",
        description="Needs write access on the whole definition: a grant on the definition, or a model "
        "permission when its access control is off.",
        request=api.CaseCreateSerializer,
        responses=with_errors({201: api.CaseSerializer}, 400, 403),
    ),
    update=extend_schema(
        summary="Replace a case",
        description="Needs write access on the case.",
        parameters=[uuid_path_parameter("id", "Id of the case.")],
        responses=with_errors({200: api.CaseSerializer}, 400, 403, 404),
    ),
    partial_update=extend_schema(
        summary="Change a case",
        description="Needs write access on the case.",
        parameters=[uuid_path_parameter("id", "Id of the case.")],
        responses=with_errors({200: api.CaseSerializer}, 400, 403, 404),
    ),
    destroy=extend_schema(
        summary="Delete a case",
        description="Needs write access on the case.",
        parameters=[uuid_path_parameter("id", "Id of the case.")],
        responses=with_errors({204: OpenApiResponse(description="Deleted.")}, 403, 404),
    ),
)
class CaseViewSet(ApiView, viewsets.ModelViewSet):
    permission_classes = [IsAuthenticated, CasePermission]
    filter_backends = [FilterBackend, StrictOrderingFilter]
    filterset_class = CaseFilter
    ordering_fields = ["number", "title", "status", "priority", "created_at", "updated_at"]
    ordering = ["-created_at", "number"]
    ordering_tie_breakers = ["number"]
    lookup_value_regex = ANY_SEGMENT
    lookup_url_kwarg = "id"

    def get_queryset(self):
        cases = policy.cases_user_can_read(self.request.user)
        return cases.select_related("definition", "created_by")

    def get_serializer_class(self):
        return api.CaseCreateSerializer if self.action == "create" else api.CaseSerializer

    def get_object(self):
        case = get_or_not_found(self.get_queryset(), self.kwargs["id"], CASE_NOT_FOUND)
        self.check_object_permissions(self.request, case)
        return case

    def perform_create(self, serializer):
        definition = serializer.validated_data["definition"]
        if policy.level_of_user_on_definition(self.request.user, definition) < Level.WRITE:
            raise PermissionDenied(
                _("Creating a case of %(definition)s needs write access on the whole definition.")
                % {"definition": definition.name}
            )
        serializer.save(created_by=self.request.user)

    @extend_schema(
        summary="Get the caller's own level on a case",
        description="For every user who can read the case; 404 for the others, as for an unknown id.",
        parameters=[uuid_path_parameter("id", "Id of the case.")],
        responses=with_errors({200: api.MyAccessSerializer}, 404),
    )
    @action(detail=True, methods=["get"], url_path="my-access", serializer_class=api.MyAccessSerializer)
    def my_access(self, request, id=None):
        case = self.get_object()
        return Response({"case": case.pk, "level": Level(case.access_level).slug})


# Grants


class TargetView(ApiView, GenericAPIView):
    """A view below one definition or case, for access managers, who reach every target."""

    permission_classes = [IsAuthenticated, IsAccessManager]
    filter_backends = []
    target_model = None

    def get_target(self):
        if self.target_model is CaseInstance:
            return get_or_not_found(CaseInstance.objects.select_related("definition"), self.kwargs["id"],
                                    CASE_NOT_FOUND)
        return get_or_not_found(CaseDefinition.objects.all(), self.kwargs["id"], DEFINITION_NOT_FOUND)

    def get_queryset(self):
        # The browsable API asks every paginated view for a queryset to build its filter form. These
        # views list grants or users of one target and have no filters, so an empty queryset answers it.
        return self.target_model.objects.none()


class GrantListView(TargetView):
    serializer_class = api.GrantSerializer

    def get(self, request, id):
        target = self.get_target()
        # NOTE: grants_on reads every grant of the target in two queries; the page is cut from that list.
        page = self.paginate_queryset(policy.grants_on(target))
        return self.get_paginated_response(api.GrantSerializer(page, many=True).data)

    def post(self, request, id):
        target = self.get_target()
        body = api.GrantCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data

        with service_errors(data["subject_field"]):
            change = services.grant(request.user, data["subject"], target, Level.parse(data["level"]))

        created = change.action == AccessAction.GRANTED
        return Response(
            api.GrantSerializer(change.grant).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class GrantDetailView(TargetView):
    """One subject's grant on the target. The URL names the subject kind and its id."""

    serializer_class = api.GrantLevelSerializer

    def get_subject(self):
        kind = self.kwargs["subject_kind"]
        model = Group if kind == "group" else get_user_model()
        raw_id = self.kwargs["subject_id"]
        row_id = api.parse_row_id(raw_id)
        subject = None if row_id is None else model.objects.filter(pk=row_id).first()
        if subject is None:
            raise NotFound(_('No %(kind)s with id "%(value)s" exists.') % {"kind": kind, "value": raw_id})
        return subject

    def get(self, request, id, subject_id, subject_kind):
        target, subject = self.get_target(), self.get_subject()
        grant_row = policy.grant_held_by(subject, target)
        if grant_row is None:
            raise NotFound(_("%(subject)s has no grant on %(target)s.") % {"subject": subject, "target": target})
        return Response(api.GrantSerializer(grant_row).data)

    def put(self, request, id, subject_id, subject_kind):
        target, subject = self.get_target(), self.get_subject()
        body = api.GrantLevelSerializer(data=request.data)
        body.is_valid(raise_exception=True)

        with service_errors(subject_kind):
            change = services.change_level(request.user, subject, target, Level.parse(body.validated_data["level"]))
        return Response(api.GrantSerializer(change.grant).data)

    def patch(self, request, id, subject_id, subject_kind):
        return self.put(request, id, subject_id, subject_kind)

    def delete(self, request, id, subject_id, subject_kind):
        target, subject = self.get_target(), self.get_subject()
        with service_errors(subject_kind):
            services.revoke(request.user, subject, target)
        return Response(status=status.HTTP_204_NO_CONTENT)


def grant_views(target_model, target_noun):
    """Build the list and detail views of the grants on one kind of target, each with its schema."""
    target_parameter = uuid_path_parameter("id", f"Id of the {target_noun}.")
    subject_help = (
        'Name exactly one subject: {"user": "<username or id>"} or {"group": "<name or id>"}, with '
        '"level": "read" or "write". Granting a subject that already holds a grant changes its level '
        "(200); a new grant answers 201; the same level again changes and records nothing (200)."
    )
    list_view = extend_schema_view(
        get=extend_schema(
            summary=f"List the grants on a {target_noun}",
            description="Access managers only. Users first, then groups, each by name.",
            parameters=[target_parameter],
            responses=with_errors({200: api.GrantSerializer(many=True)}, 400, 403, 404),
        ),
        post=extend_schema(
            summary=f"Grant a user or a group access to a {target_noun}",
            description=f"Access managers only. {subject_help}",
            parameters=[target_parameter],
            request=api.GrantCreateSerializer,
            responses=with_errors({200: api.GrantSerializer, 201: api.GrantSerializer}, 400, 403, 404),
        ),
    )(type(f"{target_model.__name__}GrantListView", (GrantListView,), {"target_model": target_model}))

    detail_views = {}
    for kind in ("user", "group"):
        parameters = [target_parameter, subject_path_parameter(kind)]
        detail_views[kind] = extend_schema_view(
            get=extend_schema(
                summary=f"Get the grant of a {kind} on a {target_noun}",
                parameters=parameters,
                responses=with_errors({200: api.GrantSerializer}, 403, 404),
            ),
            put=extend_schema(
                summary=f"Change the level of a {kind}'s grant on a {target_noun}",
                description="404 if the subject has no grant. Use POST on the grant list to create one.",
                parameters=parameters,
                request=api.GrantLevelSerializer,
                responses=with_errors({200: api.GrantSerializer}, 400, 403, 404),
            ),
            patch=extend_schema(
                summary=f"Change the level of a {kind}'s grant on a {target_noun}",
                description="The same as PUT: the level is the only field.",
                parameters=parameters,
                request=api.GrantLevelSerializer,
                responses=with_errors({200: api.GrantSerializer}, 400, 403, 404),
            ),
            delete=extend_schema(
                summary=f"Revoke a {kind}'s grant on a {target_noun}",
                parameters=parameters,
                responses=with_errors({204: OpenApiResponse(description="Revoked.")}, 403, 404),
            ),
        )(type(f"{target_model.__name__}{kind.title()}GrantView", (GrantDetailView,), {"target_model": target_model}))
    return list_view, detail_views


DefinitionGrantListView, DefinitionGrantViews = grant_views(CaseDefinition, "definition")
CaseGrantListView, CaseGrantViews = grant_views(CaseInstance, "case")


# Effective access and the access history


@extend_schema_view(
    get=extend_schema(
        summary="List the users with access to a case, and why",
        description="Access managers only. Active users who reach the case at `level` or higher, by username, "
        "each with every path that gives access.",
        parameters=[uuid_path_parameter("id", "Id of the case."), api.AccessListQuerySerializer],
        responses=with_errors({200: api.AccessExplanationSerializer(many=True)}, 400, 403, 404),
    )
)
class CaseAccessView(TargetView):
    serializer_class = api.AccessExplanationSerializer
    target_model = CaseInstance

    def get(self, request, id):
        case = self.get_target()
        query = api.AccessListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)

        users = policy.users_with_access_to_case(case, Level.parse(query.validated_data["level"]))
        page = self.paginate_queryset(users)
        explanations = policy.explain_access_for_users(page, case)
        return self.get_paginated_response(api.AccessExplanationSerializer(explanations, many=True).data)


@extend_schema_view(
    get=extend_schema(
        summary="Explain one user's access to a case",
        description="Access managers only. The level, every path that gives it, or the reason there is none.",
        parameters=[uuid_path_parameter("id", "Id of the case."), api.AccessCheckQuerySerializer],
        responses=with_errors({200: api.AccessExplanationSerializer}, 400, 403, 404),
    )
)
class CaseAccessCheckView(TargetView):
    serializer_class = api.AccessExplanationSerializer
    target_model = CaseInstance

    def get(self, request, id):
        case = self.get_target()
        query = api.AccessCheckQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)

        explanation = policy.explain_access(query.validated_data["user"], case)
        return Response(api.AccessExplanationSerializer(explanation).data)


@extend_schema_view(
    get=extend_schema(
        summary="List the access history",
        description="Access managers only. Newest first.",
        responses=with_errors({200: api.AccessEventSerializer(many=True)}, 400, 403, 404),
    )
)
class AccessEventListView(ApiView, ListAPIView):
    queryset = AccessEvent.objects.all()
    serializer_class = api.AccessEventSerializer
    permission_classes = [IsAuthenticated, IsAccessManager]
    filter_backends = [FilterBackend]
    filterset_class = AccessEventFilter


__all__ = [
    "AccessEventListView",
    "CaseAccessCheckView",
    "CaseAccessView",
    "CaseGrantListView",
    "CaseGrantViews",
    "CaseViewSet",
    "DefinitionGrantListView",
    "DefinitionGrantViews",
    "DefinitionViewSet",
]
