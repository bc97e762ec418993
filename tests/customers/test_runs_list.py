"""The runs list: where an operator finds a run again (a failed one above all) after the
redirect that followed starting it is long gone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from customers.models import Run
from customers.views import RUNS_PAGE_SIZE
from network import paging
from tests.conftest import login_in_browser, network_url
from tests.customers.test_runs import make_run
from tests.factories import make_super_admin
from tests.network.test_browser_screens import DESKTOP, PHONE, Screens

RUNS = network_url("customers:runs")
Status = Run.Status


def runs(super_admin, *statuses: str, **fields) -> list[Run]:
    """One run per status, the first the oldest, a minute apart."""
    start = timezone.now() - timedelta(hours=1)
    return [
        make_run(super_admin, status=status, created_at=start + timedelta(minutes=i), **fields)
        for i, status in enumerate(statuses)
    ]


def listed(client, query: str = "") -> list[int]:
    response = client.get(RUNS + query)
    assert response.status_code == 200
    return [run.pk for run in response.context["page"].items]


def test_it_rejects_outsiders(outsider_client, staff_client, anonymous_client):
    assert outsider_client.get(RUNS).status_code == 403
    assert staff_client.get(RUNS).status_code == 403
    response = anonymous_client.get(RUNS)
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={RUNS}"


def test_it_lists_the_newest_first(admin_client, super_admin):
    older, newer, newest = runs(super_admin, Status.DONE, Status.FAILED, Status.QUEUED)
    # Started in the same instant: the later one is the newer.
    same_moment = make_run(super_admin, created_at=newest.created_at)
    assert listed(admin_client) == [same_moment.pk, newest.pk, newer.pk, older.pk]


def test_a_row_says_what_who_when_status_and_progress(admin_client, super_admin):
    run = make_run(super_admin, status=Status.DONE, total=1200, done=1150, skipped=40, failed=10)
    html = admin_client.get(RUNS).content.decode()
    assert f'<a class="person-name" href="{network_url("customers:run", run.pk)}">' in html
    assert "Delete 1,200 customers</a>" in html
    assert '<span title="Root &lt;root@network.localhost&gt;">Root</span>' in html
    assert f'<time datetime="{timezone.localtime(run.created_at).isoformat()}">' in html
    assert '<span class="badge badge-amber" data-run-status="done">Done</span>' in html
    assert "1,200 of 1,200 · <strong>10 failed</strong>" in html


def test_a_run_without_failures_shows_no_failed_count(admin_client, super_admin):
    make_run(super_admin, kind=Run.Kind.VIP_TAG, status=Status.RUNNING, total=5000, done=2000)
    html = admin_client.get(RUNS).content.decode()
    assert "Tag 5,000 customers as VIP</a>" in html
    assert '<span class="badge badge-blue" data-run-status="running">Running</span>' in html
    assert "2,000 of 5,000</span>" in html
    assert "failed</strong>" not in html


def test_a_run_started_by_no_one_was_started_by_the_system(admin_client):
    Run.objects.create(kind=Run.Kind.DELETE, customer_ids=[1], total=1)
    assert '<span class="muted">System</span>' in admin_client.get(RUNS).content.decode()


def test_unfinished_shows_the_runs_waiting_running_or_retrying(admin_client, super_admin):
    queued, running, retrying, _done, _failed = runs(
        super_admin, Status.QUEUED, Status.RUNNING, Status.RETRYING, Status.DONE, Status.FAILED
    )
    assert listed(admin_client, "?show=unfinished") == [retrying.pk, running.pk, queued.pk]


def test_failed_shows_the_runs_given_up_or_finished_with_failures(admin_client, super_admin):
    given_up, _clean, with_failures = runs(super_admin, Status.FAILED, Status.DONE, Status.DONE)
    with_failures.failed = 2
    with_failures.save(update_fields=["failed"])
    # Still going: not failed yet, whatever it has counted so far.
    runs(super_admin, Status.RUNNING, Status.RETRYING, failed=3)
    assert listed(admin_client, "?show=failed") == [with_failures.pk, given_up.pk]


def test_all_shows_every_run_and_an_unknown_filter_is_all(admin_client, super_admin):
    every = runs(super_admin, Status.QUEUED, Status.DONE, Status.FAILED)
    newest_first = [run.pk for run in reversed(every)]
    assert listed(admin_client) == newest_first
    assert listed(admin_client, "?show=nonsense") == newest_first


def test_the_tabs_count_each_filter_and_mark_the_current_one(admin_client, super_admin):
    runs(super_admin, Status.QUEUED, Status.RUNNING, Status.DONE, Status.FAILED)
    html = admin_client.get(RUNS + "?show=failed").content.decode()
    assert f'<a href="{RUNS}">All (4)</a>' in html
    assert '<a href="?show=unfinished">Unfinished (2)</a>' in html
    assert '<a href="?show=failed" aria-current="page">Failed (1)</a>' in html


def test_paging_keeps_the_filter(admin_client, super_admin):
    failed = runs(super_admin, *[Status.FAILED] * (RUNS_PAGE_SIZE + 1))
    runs(super_admin, *[Status.DONE] * 3)  # not failed: on no page of this filter
    html = admin_client.get(RUNS + "?show=failed").content.decode()
    assert 'href="?show=failed&amp;page=2" rel="next"' in html
    assert listed(admin_client, "?show=failed&page=2") == [failed[0].pk]


@pytest.mark.parametrize(
    ("query", "title", "words"),
    [
        ("", "No runs yet", "each one appears here"),
        ("?show=unfinished", "No unfinished runs", "Every run has finished"),
        ("?show=failed", "No failed runs", "No run was given up"),
    ],
)
def test_each_filter_says_when_it_has_nothing(admin_client, super_admin, query, title, words):
    if query:  # finished, with nothing failed: both filters leave it out
        make_run(super_admin, status=Status.DONE)
    html = admin_client.get(RUNS + query).content.decode()
    assert f"<h2>{title}</h2>" in html and words in html
    assert "<table" not in html


def test_a_page_past_the_last_one_says_so(admin_client, super_admin, monkeypatch):
    runs(super_admin, Status.DONE)
    # A page past the end is the last page while the total is known; above the count cap,
    # the list cannot know, and says so.
    monkeypatch.setattr(paging, "COUNT_CAP", 0)
    html = admin_client.get(RUNS + "?page=3").content.decode()
    assert "<h2>No more runs</h2>" in html and "Back to the first page" in html


@pytest.mark.parametrize("count", [3, 30])
def test_the_page_makes_the_same_queries_for_3_or_30_runs(
    admin_client, super_admin, django_assert_num_queries, count
):
    """What any page costs here (the host, the session, the user and their permissions:
    5), the three tabs' counts in one query and the page of runs in one more: no query per
    row (the heading, who started it and the progress are the run's own columns), and the
    runs' customers and lines, thousands of ids each, are never read."""
    runs(super_admin, *[Status.DONE] * count, failed=1)
    with django_assert_num_queries(7) as captured:
        assert admin_client.get(RUNS).status_code == 200
    assert "customer_ids" not in captured.captured_queries[-1]["sql"]


def test_the_header_leads_a_super_admin_to_the_runs(admin_client):
    html = admin_client.get(network_url("customers:list")).content.decode()
    assert f'<a href="{RUNS}" >Runs</a>' in html
    html = admin_client.get(RUNS).content.decode()
    assert f'<a href="{RUNS}" aria-current="page">Runs</a>' in html
    assert 'aria-current="page">Customers</a>' not in html


def test_a_runs_page_leads_to_all_runs(admin_client, super_admin):
    run = make_run(super_admin)
    html = admin_client.get(network_url("customers:run", run.pk)).content.decode()
    assert f'<a class="button" href="{RUNS}">All runs</a>' in html


# Each row of the table on a phone: one card, every cell but the first labelled, nothing
# to scroll sideways.
STACKED = """() => {
  const table = document.querySelector("table.runs-table");
  const unlabelled = [...table.querySelectorAll("tbody td:not(:first-child)")]
    .filter((td) => ["none", "normal", '""'].includes(getComputedStyle(td, "::before").content));
  return {scrolls: table.scrollWidth > table.clientWidth, unlabelled: unlabelled.length};
}"""


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1400px", "390px"])
def test_the_list_fits_a_phone_and_passes_axe(browser, live_network, viewport):
    admin = make_super_admin(username="root", email="root@network.localhost")
    runs(admin, Status.QUEUED, Status.RUNNING, Status.RETRYING, Status.FAILED, failed=2)
    make_run(admin, kind=Run.Kind.SITES_CREATE, label="Ada Lovelace", status=Status.DONE)
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(10_000)
    login_in_browser(page, live_network, "root@network.localhost")
    page.wait_for_url("**/customers/")
    screens = Screens(page, live_network, viewport)
    screens.visit("failed runs", RUNS + "?show=failed")
    screens.visit("runs", RUNS)
    stacked = page.evaluate(STACKED)
    context.close()
    assert not screens.problems, screens.problems
    if viewport is PHONE:
        assert stacked == {"scrolls": False, "unlabelled": 0}
