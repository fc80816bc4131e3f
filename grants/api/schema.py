"""OpenAPI descriptions of the error responses that every endpoint shares."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

DETAIL_ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}

FIELD_ERRORS = {
    "type": "object",
    "description": "Messages by field name; `non_field_errors` holds those about the whole body, "
    "`detail` a message about the request as a whole (such as malformed JSON).",
    "additionalProperties": {
        "oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}],
    },
}

ERROR_DESCRIPTIONS = {
    400: ("Invalid input. Each message names the field and the rejected value.", FIELD_ERRORS),
    401: ("Missing, invalid or inactive credentials.", DETAIL_ERROR),
    403: ("Signed in, but not allowed: read-only access, or not an access manager.", DETAIL_ERROR),
    404: (
        "Not found. A case or definition that the caller cannot read gets the same answer as an unknown id.",
        DETAIL_ERROR,
    ),
}


def errors(*codes):
    """Return OpenAPI responses for the given error statuses, 401 always included."""
    responses = {}
    for code in sorted({401, *codes}):
        description, body = ERROR_DESCRIPTIONS[code]
        responses[code] = OpenApiResponse(response=body, description=description)
    return responses


def with_errors(success, *codes):
    """Return `success` (a dict of status to response) merged with the error responses of `codes`."""
    return {**success, **errors(*codes)}


def uuid_path_parameter(name, description):
    return OpenApiParameter(name, OpenApiTypes.UUID, OpenApiParameter.PATH, description=description)


def subject_path_parameter(kind):
    return OpenApiParameter(
        "subject_id", int, OpenApiParameter.PATH, description=f"Id of the {kind} that has the grant."
    )
