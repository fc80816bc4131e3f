from .audit import current_request


class CurrentActorMiddleware:
    """Make the request's user the actor of access changes made while handling the request.

    The request itself is kept, not its user, because REST framework authenticates tokens inside the
    view and only then sets `request.user`.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)
