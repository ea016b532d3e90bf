"""``bench.load --alone``: the load on one page is every role's requests of that page only."""

import pytest

from bench.load import alone_names, alone_plan

PLAN = {
    "iom_staff": {
        "cookies": ["s1"],
        "pages": [
            ["dashboard", "GET", "/dashboard/", False, None],
            ["directory: people", "GET", "/staff/people/", False, None],
            ["directory: people", "GET", "/staff/people/?kind=academia", True, None],
        ],
    },
    "member": {
        "cookies": ["m1"],
        "pages": [
            ["dashboard", "GET", "/dashboard/", False, None],
            ["enroll", "POST", "/trainings/offerings/1/enroll/", True, {}],
        ],
    },
}


def test_each_role_keeps_only_the_named_page_and_roles_without_it_are_left_out():
    assert alone_plan(PLAN, "dashboard") == {
        "iom_staff": {
            "cookies": ["s1"],
            "pages": [["dashboard", "GET", "/dashboard/", False, None]],
        },
        "member": {"cookies": ["m1"], "pages": [PLAN["member"]["pages"][0]]},
    }
    people = alone_plan(PLAN, "directory: people")
    assert list(people) == ["iom_staff"] and len(people["iom_staff"]["pages"]) == 2


def test_a_page_no_journey_has_stops_the_run_with_its_name():
    with pytest.raises(SystemExit, match="'dashbord'"):
        alone_plan(PLAN, "dashbord")


def test_all_runs_every_page_read_with_get_once_and_never_an_answer_alone():
    assert alone_names(PLAN, "all") == ["dashboard", "directory: people"]
    assert alone_names(PLAN, "directory: people,dashboard") == ["directory: people", "dashboard"]
    with pytest.raises(SystemExit, match="'enroll'"):
        alone_names(PLAN, "dashboard,enroll")
