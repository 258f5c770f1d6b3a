"""``{% region "name" %}…{% endregion %}``: a region of a page kept by ``common.regions``.

With no ``regions`` in the context (a view that keeps none) the tag renders what it encloses."""

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


class RegionNode(template.Node):
    def __init__(self, name: str, nodelist):
        self.name, self.nodelist = name, nodelist

    def render(self, context):
        regions = context.get("regions")
        if regions is None:
            return self.nodelist.render(context)
        html = regions.get(self.name)
        if html is None:
            html = self.nodelist.render(context)
            regions.keep(self.name, html)
        return mark_safe(html)  # noqa: S308 - rendered by this very template, escaped as it rendered


@register.tag("region")
def do_region(parser, token):
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][0] not in "\"'" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError('{% region %} takes one quoted name: {% region "table" %}')
    nodelist = parser.parse(("endregion",))
    parser.delete_first_token()
    return RegionNode(bits[1][1:-1], nodelist)
