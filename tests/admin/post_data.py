"""POST data that the admin change forms expect besides their own fields."""


def grant_inline_data(user_rows=(), group_rows=()):
    """Return POST data for the user and group grant inlines of a definition or case change form.

    Each row is a dict of the inline form's fields, with "id" for an existing grant.
    """
    data = {}
    for prefix, rows in (("user_grants", user_rows), ("group_grants", group_rows)):
        initial = sum(1 for row in rows if row.get("id"))
        data[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
        data[f"{prefix}-INITIAL_FORMS"] = str(initial)
        for index, row in enumerate(rows):
            for field_name, value in row.items():
                data[f"{prefix}-{index}-{field_name}"] = value
    return data
