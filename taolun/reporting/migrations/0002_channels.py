"""The publication channels every site starts with; a site adds its own as data."""

from django.db import migrations

# code, name, kind, public, order
CHANNELS = [
    ("portal", "门户网站", "portal", True, 1),
    ("wechat", "微信公众号", "wechat", True, 2),
    ("weibo", "官方微博", "weibo", True, 3),
    ("bulletin", "内部简报", "bulletin", False, 4),
]


def add_channels(apps, schema_editor):
    Channel = apps.get_model("reporting", "Channel")
    for code, name, kind, public, order in CHANNELS:
        Channel.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind, "is_public": public, "order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("reporting", "0001_initial")]

    operations = [migrations.RunPython(add_channels, migrations.RunPython.noop)]
