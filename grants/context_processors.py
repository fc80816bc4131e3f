from .policy import is_access_manager


def access(request):
    """Tell every template whether the current user may manage access, for the navigation."""
    return {"is_access_manager": is_access_manager(getattr(request, "user", None))}
