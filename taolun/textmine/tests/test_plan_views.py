"""The plan import pages: who may use them, the draft shown, bad input, creation, queries."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from taolun.campaigns.models import Campaign, LeadingGroupMember, LeadingGroupRole, Stage, Theme
from taolun.org.roles import Role
from taolun.org.tests.factories import UserFactory, grant, make_unit

pytestmark = pytest.mark.django_db

PLANS = Path(__file__).parent / "plans"
IMPORT = reverse("textmine:plan_import")
REVIEW = reverse("textmine:plan_review")
# A real PNG's first bytes: a picture renamed .docx must be refused by its content.
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x02\x00\x00\x00\x02\x08\x02\x00\x00\x00"


def plan(name: str) -> str:
    return (PLANS / name).read_text(encoding="utf-8")


def login(client, user):
    client.force_login(user)
    return client


def form_data(context) -> dict[str, str]:
    """The review page's values as the browser would post them back unchanged."""
    data: dict[str, str] = {}

    def put(form) -> None:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = (
                value.isoformat() if hasattr(value, "isoformat") else value
            )

    put(context["form"])
    for key in ("themes", "stages", "members"):
        formset = context[key]
        put(formset.management_form)
        for row in formset.forms:
            put(row)
    return data


def review_of(client, text: str):
    response = client.post(IMPORT, {"text": text})
    assert response.status_code == 200
    assert response.templates[0].name == "textmine/plan_review.html"
    return response


@pytest.fixture
def people(org):
    """Accounts for two of the seed's people, one name shared by two people, and one
    account outside the office's units."""
    weiguo = UserFactory(username="weiguo", name="卫国", unit=org.root)
    shared = [UserFactory(username=f"li{n}", name="李俊温", unit=org.branch1) for n in (1, 2)]
    other_root = make_unit("别的单位", "elsewhere", kind="organisation")
    stranger = UserFactory(username="stranger", name="许国瑞", unit=other_root)
    return weiguo, shared, stranger


# ---------------------------------------------------------------- who may import


@pytest.mark.parametrize("who", ["leader", "supervisor", "contact1", "member1", "outsider"])
def test_only_a_campaign_office_may_import(client, org, who):
    login(client, getattr(org, who))
    assert client.get(IMPORT).status_code == 403
    assert client.post(IMPORT, {"text": plan("seed.txt")}).status_code == 403
    assert client.post(REVIEW, {"name": "x"}).status_code == 403
    assert not Campaign.objects.exclude(slug="camp").exists()


def test_anonymous_is_sent_to_log_in(client, org):
    response = client.get(IMPORT)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_office_opens_the_import_page(client, org):
    page = login(client, org.office).get(IMPORT).content.decode()
    assert 'name="text"' in page and 'type="file"' in page and 'accept=".txt,.docx"' in page


def test_review_page_needs_a_posted_review(client, org):
    response = login(client, org.office).get(REVIEW)
    assert response.status_code == 302 and response["Location"] == IMPORT


def test_office_of_a_branch_cannot_pick_a_unit_outside_its_scope(client, org):
    office2 = UserFactory(username="office2", name="二支部办公室", unit=org.branch2)
    grant(office2, org.branch2, Role.OFFICE)
    response = review_of(login(client, office2), plan("city_plan.txt"))
    choices = [unit.pk for unit in response.context["form"].fields["owner_unit"].queryset]
    assert choices == [org.branch2.pk]
    data = form_data(response.context)
    data.update({"owner_unit": str(org.root.pk), "ends_on": "2021-12-31", "create": "1"})
    response = client.post(REVIEW, data)
    assert response.status_code == 200
    assert response.context["form"].errors["owner_unit"]
    assert not Campaign.objects.filter(slug=data["slug"]).exists()


# ---------------------------------------------------------------- the draft


def test_pasted_seed_shows_themes_stages_and_people(client, org, people):
    response = review_of(login(client, org.office), plan("seed.txt"))
    context = response.context
    themes = context["themes"].initial
    assert len(themes) == 6
    assert themes[0] == {
        "break_with": "破除僵化保守",
        "focus_on": "着力解决改革意识不强问题",
        "adhere_to": "坚持以改革破解发展难题",
    }
    assert [row["name"] for row in context["stages"].initial] == ["动员", "学习", "实践", "提升"]
    assert context["stages"].initial[0]["directive"] == "打响动员的“第一枪”"
    members = context["members"].initial
    assert [(m["name"], m["role"]) for m in members] == [
        ("卫国", LeadingGroupRole.HEAD),
        ("李俊温", LeadingGroupRole.DEPUTY),
    ]
    assert members[0]["posts"] == "党组书记、理事长"
    campaign = context["form"].initial
    assert campaign["basis_number"] == "晋办发〔2019〕1号"
    assert campaign["launched_on"] == dt.date(2019, 2, 22)
    assert campaign["owner_unit"] == org.root.pk
    page = response.content.decode()
    assert "10个规定动作" in page and "4个环节" in page
    # 卫国 is one account in scope; two people share 李俊温's name: shown, never guessed.
    matches = [(match.matched if match else None) for _row, match, _u in context["member_rows"]]
    assert matches[:2] == [True, False]
    assert "2 people in your units have this name" in page
    # The branch secretaries are named in the plan but are not leading group members.
    assert "许国瑞" in page and "许国瑞" not in str(members)
    assert "The plan gives no end date" in page
    assert not Campaign.objects.exclude(slug="camp").exists()


def test_a_plan_of_another_shape_gives_its_own_draft(client, org):
    response = review_of(login(client, org.office), plan("city_plan.txt"))
    context = response.context
    assert [t["break_with"] for t in context["themes"].initial] == [
        "聚焦理论武装",
        "聚焦服务群众",
        "聚焦担当作为",
    ]
    # Three stages announced, none named: three empty rows to fill.
    assert context["stages"].initial == []
    assert context["stages"].total_form_count() == 3
    assert [(m["name"], m["role"]) for m in context["members"].initial] == [
        ("王建国", LeadingGroupRole.HEAD),
        ("刘芳", LeadingGroupRole.DEPUTY),
        ("陈明", LeadingGroupRole.DEPUTY),
        ("赵强", LeadingGroupRole.MEMBER),
        ("孙丽", LeadingGroupRole.MEMBER),
    ]
    assert context["form"].initial["basis_number"] == "市委办发[2021]12号"
    assert "学查改" in context["form"].initial["name"]
    page = response.content.decode()
    assert "集中学习；专题研讨；个人自学" in page  # the enumeration
    assert "8个规定动作" in page


def test_uploaded_text_file_is_read(client, org):
    upload = SimpleUploadedFile("方案.txt", plan("city_plan.txt").encode("gb18030"))
    response = login(client, org.office).post(IMPORT, {"text": "", "file": upload})
    assert response.context["form"].initial["basis_number"] == "市委办发[2021]12号"


def test_picture_renamed_docx_is_refused_on_the_field_and_the_text_is_kept(client, org):
    typed = "关于开展学习活动的通知\n一、总体要求"
    upload = SimpleUploadedFile("方案.docx", PNG, content_type="image/png")
    response = login(client, org.office).post(IMPORT, {"text": typed, "file": upload})
    assert response.status_code == 200
    form = response.context["form"]
    assert "方案.docx" in " ".join(form.errors["file"])
    assert "text" not in form.errors
    page = response.content.decode()
    assert typed in page
    assert 'id="form-errors"' in page


def test_empty_text_is_an_error_on_the_text(client, org):
    response = login(client, org.office).post(IMPORT, {"text": "  \n "})
    assert response.context["form"].errors["text"]


# ---------------------------------------------------------------- creating


def test_create_saves_the_corrected_campaign(client, org, people):
    weiguo = people[0]
    response = review_of(login(client, org.office), plan("seed.txt"))
    data = form_data(response.context)
    data.update(
        {
            "name": "省残联改革创新大讨论（导入）",
            "slug": "imported-2019",
            "owner_unit": str(org.organ.pk),
            "starts_on": "2019-02-22",
            "ends_on": "2019-12-31",
            "themes-1-focus_on": "着力解决创新精神不足的问题",
            "themes-5-DELETE": "on",
            "stages-0-starts_on": "2019-02-22",
            "stages-0-ends_on": "2019-03-10",
            "create": "1",
        }
    )
    response = client.post(REVIEW, data)
    campaign = Campaign.objects.get(slug="imported-2019")
    assert response.status_code == 302 and response["Location"] == campaign.get_absolute_url()
    assert campaign.name == "省残联改革创新大讨论（导入）"
    assert campaign.owner_unit == org.organ
    assert (campaign.basis_number, campaign.ends_on) == ("晋办发〔2019〕1号", dt.date(2019, 12, 31))
    themes = list(Theme.objects.filter(campaign=campaign).order_by("number"))
    assert len(themes) == 5
    assert themes[1].focus_on == "着力解决创新精神不足的问题"
    stages = list(Stage.objects.filter(campaign=campaign).order_by("number"))
    assert [s.name for s in stages] == ["动员", "学习", "实践", "提升"]
    assert (stages[0].starts_on, stages[0].ends_on) == (dt.date(2019, 2, 22), dt.date(2019, 3, 10))
    assert (stages[1].starts_on, stages[1].ends_on) == (campaign.starts_on, campaign.ends_on)
    # Only the unambiguous match joins the group; the shared name is left out.
    group = list(LeadingGroupMember.objects.filter(campaign=campaign))
    assert [(m.person, m.role, m.position) for m in group] == [
        (weiguo, LeadingGroupRole.HEAD, "党组书记、理事长")
    ]
    page = client.get(response["Location"]).content.decode()
    assert "was created from the plan" in page


def test_add_a_row_keeps_what_was_typed(client, org):
    response = review_of(login(client, org.office), plan("seed.txt"))
    data = form_data(response.context)
    data.update({"name": "改过的名称", "themes-0-break_with": "破除改过", "add_theme": "1"})
    response = client.post(REVIEW, data)
    context = response.context
    assert context["form"]["name"].value() == "改过的名称"
    assert context["themes"].total_form_count() == 7
    assert context["themes"].forms[0]["break_with"].value() == "破除改过"
    assert not context["has_errors"]
    assert "10个规定动作" in response.content.decode()  # the findings are shown again
    assert not Campaign.objects.filter(name="改过的名称").exists()


@pytest.mark.parametrize(
    ("change", "where", "message"),
    [
        ({"themes-1-break_with": ""}, ("themes", 1, "break_with"), "Theme 2, Break with"),
        ({"slug": "camp"}, ("form", None, "slug"), "Short name in web addresses"),
        ({"ends_on": "2019-01-01"}, ("form", None, "ends_on"), "Ends on"),
        (
            {"stages-2-starts_on": "2019-05-01", "stages-2-ends_on": "2019-04-01"},
            ("stages", 2, "ends_on"),
            "Stage 3, Ends on",
        ),
    ],
)
def test_invalid_review_names_the_row_keeps_input_and_creates_nothing(
    client, org, change, where, message
):
    response = review_of(login(client, org.office), plan("seed.txt"))
    data = form_data(response.context)
    data.update({"name": "保留我输入的名称", "ends_on": "2019-12-31", "create": "1"})
    data.update(change)
    campaigns, themes = Campaign.objects.count(), Theme.objects.count()
    response = client.post(REVIEW, data)
    assert response.status_code == 200
    kind, row, field = where
    form = response.context[kind] if row is None else response.context[kind].forms[row]
    assert form.errors[field]
    page = response.content.decode()
    assert message in page
    assert "保留我输入的名称" in page
    assert (Campaign.objects.count(), Theme.objects.count()) == (campaigns, themes)


def test_stage_outside_the_campaign_is_refused_by_row(client, org):
    response = review_of(login(client, org.office), plan("seed.txt"))
    data = form_data(response.context)
    data.update({"slug": "late", "ends_on": "2019-06-30", "stages-3-ends_on": "2019-07-31"})
    data["create"] = "1"
    response = client.post(REVIEW, data)
    assert response.status_code == 200
    assert "Stage 4 must fall within the campaign" in response.content.decode()
    assert not Campaign.objects.filter(slug="late").exists()


# ---------------------------------------------------------------- queries


def _queries(client, text: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        review_of(client, text)
    return len(ctx.captured_queries)


def test_review_queries_do_not_grow_with_units_and_people(
    client, org, people, django_assert_max_num_queries
):
    login(client, org.office)
    text = plan("seed.txt")
    review_of(client, text)
    before = _queries(client, text)
    for n in range(12):
        unit = make_unit(f"支部{n}", f"more-{n}", org.organ)
        UserFactory(username=f"more{n}", name="李俊温" if n % 2 else f"某人{n}", unit=unit)
        Campaign.objects.create(
            slug=f"root-2019-{n + 2}",
            name=f"旧的{n}",
            owner_unit=org.root,
            starts_on=dt.date(2019, 1, 1),
            ends_on=dt.date(2019, 12, 31),
        )
    with django_assert_max_num_queries(before):
        response = review_of(client, text)
    assert len(response.context["form"].fields["owner_unit"].queryset) > 12


def _create_queries(client, data: dict[str, str]) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.post(REVIEW, data).status_code == 302
    return len(ctx.captured_queries)


def test_create_queries_do_not_grow_with_units_and_people(client, org, people):
    login(client, org.office)
    data = form_data(review_of(client, plan("seed.txt")).context)
    data.update({"ends_on": "2019-12-31", "create": "1"})
    small = _create_queries(client, {**data, "slug": "small"})
    for n in range(12):
        unit = make_unit(f"支部{n}", f"more-{n}", org.organ)
        UserFactory(username=f"more{n}", name=f"某人{n}", unit=unit)
    large = _create_queries(client, {**data, "slug": "large"})
    assert large <= small, (small, large)
    assert Campaign.objects.get(slug="large").themes.count() == 6
