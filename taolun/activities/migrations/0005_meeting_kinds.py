"""The meeting kinds every site starts with; a site adds its own as data."""

from django.db import migrations

# code, name, order, prepared, study, required attendance %, plan reported days ahead
KINDS = [
    ("mobilisation", "动员部署会", 1, False, False, None, None),
    ("democratic-life", "民主生活会", 2, True, False, 90, 15),
    ("organisational-life", "专题组织生活会", 3, True, False, 90, 15),
    ("study-session", "集中学习研讨", 4, False, True, None, None),
    ("other", "其他会议", 9, False, False, None, None),
]


def add_kinds(apps, schema_editor):
    MeetingKind = apps.get_model("activities", "MeetingKind")
    for code, name, order, prepared, study, share, days in KINDS:
        MeetingKind.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "order": order,
                "prepared": prepared,
                "study": study,
                "required_attendance_percent": share,
                "report_days_ahead": days,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("activities", "0004_meetings")]

    operations = [migrations.RunPython(add_kinds, migrations.RunPython.noop)]
