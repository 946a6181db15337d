from django.db import connection
from django.http import JsonResponse


def health(request):
    """For load balancers and the deploy check: the process runs and the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
