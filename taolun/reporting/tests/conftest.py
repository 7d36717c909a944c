"""Two campaign levels for reporting tests: the province's campaign runs at ``province``,
the federation's (its child) at ``fed``, with the federation's branches below.

    province (province office ``prov_office``; campaign ``prov``)
      fed (office ``office``, leader ``leader``; campaign ``fed``, parent ``prov``)
        branch1 (contact ``contact1``, head ``head1`` who holds its 书记 post, ``member1``)
        branch2 (contact ``contact2``)
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest


@pytest.fixture
def levels(db):
    from taolun.campaigns.tests.factories import make_campaign
    from taolun.org.models import Post
    from taolun.org.roles import Role
    from taolun.org.tests.factories import UserFactory, grant, make_unit

    province = make_unit("省委", "province", kind="organisation")
    fed = make_unit("省残联", "fed", province, kind="organisation")
    branch1 = make_unit("机关第一党支部", "branch1", fed)
    branch2 = make_unit("机关第二党支部", "branch2", fed)
    ns = SimpleNamespace(province=province, fed=fed, branch1=branch1, branch2=branch2)
    ns.prov_office = UserFactory(username="prov_office", name="省委办公室", unit=province)
    grant(ns.prov_office, province, Role.OFFICE)
    ns.office = UserFactory(username="office", name="办公室", unit=fed)
    grant(ns.office, fed, Role.OFFICE)
    ns.leader = UserFactory(username="leader", name="领导", unit=fed)
    grant(ns.leader, fed, Role.LEADER)
    ns.supervisor = UserFactory(username="supervisor", name="督导", unit=fed)
    grant(ns.supervisor, fed, Role.SUPERVISOR)
    ns.contact1 = UserFactory(username="contact1", name="联络员一", unit=branch1)
    grant(ns.contact1, branch1, Role.CONTACT)
    ns.head1 = UserFactory(username="head1", name="书记一", unit=branch1)
    Post.objects.create(unit=branch1, title="党支部书记", holder=ns.head1, order=1)
    ns.member1 = UserFactory(username="member1", name="党员一", unit=branch1)
    grant(ns.member1, branch1, Role.MEMBER)
    ns.contact2 = UserFactory(username="contact2", name="联络员二", unit=branch2)
    grant(ns.contact2, branch2, Role.CONTACT)
    ns.outsider = UserFactory(username="outsider", name="无角色")
    ns.prov = make_campaign(province, "prov")
    ns.campaign = make_campaign(fed, "fed", parent=ns.prov)
    for unit in (province, fed, branch1, branch2):
        unit.refresh_from_db()
    return ns
