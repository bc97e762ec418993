"""What every one of our ModelAdmins shares; imports no app."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import EmptyResultSet, FullResultSet
from django.http import HttpRequest


class CheckedChangeList(ChangeList):
    """A lookup in the address that no database value can satisfy, such as
    `?created_at__year=99999999999999999999999` (a date hierarchy link, or any date
    field's lookup), gets admin's "bad parameters" answer instead of a 500.

    Django wraps most bad values itself, but a year past what Python's `datetime` holds
    overflows either in the date hierarchy's bounds or only when the SQL is compiled, after
    the checks. So the SQL is compiled here, without running it."""

    def get_queryset(self, request: HttpRequest, exclude_parameters=None):
        try:
            queryset = super().get_queryset(request, exclude_parameters)
            queryset.query.get_compiler(using=queryset.db).as_sql()
        except (EmptyResultSet, FullResultSet):
            pass  # a filter that matches nothing (or everything) is a fine filter
        except (OverflowError, ValueError) as error:
            raise IncorrectLookupParameters(error) from error
        return queryset


class CheckedLookupsMixin:
    """For every ModelAdmin: see CheckedChangeList."""

    def get_changelist(self, request: HttpRequest, **kwargs) -> type[ChangeList]:
        return CheckedChangeList


class ViewOnlyMixin:
    """Rows that record what happened, or that only their service may write: shown, never
    added, changed or deleted in admin."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


def job_queue_admin_checked() -> None:
    """The job queue's list in Django admin (procrastinate's own ModelAdmin) keeps the
    same promise as ours: a bad lookup is a bad filter, never a 500."""
    from procrastinate.contrib.django.admin import ProcrastinateJobAdmin
    from procrastinate.contrib.django.models import ProcrastinateJob

    class CheckedJobAdmin(CheckedLookupsMixin, ProcrastinateJobAdmin):
        pass

    # procrastinate's admin module comes first in INSTALLED_APPS, so it has registered.
    if admin.site.is_registered(ProcrastinateJob):
        admin.site.unregister(ProcrastinateJob)
    admin.site.register(ProcrastinateJob, CheckedJobAdmin)


job_queue_admin_checked()
