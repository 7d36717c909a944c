"""User HTML is cleaned on the way in and again on the way out."""


def test_rich_filter_cleans_html_written_by_any_path():
    from django.template import Context, Template

    html = Template("{% load rich %}{{ v|rich }}").render(
        Context({"v": '<p onclick="x()">学习</p><script>alert(1)</script>'})
    )
    assert html == "<p>学习</p>"
