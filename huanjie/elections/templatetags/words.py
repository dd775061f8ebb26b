"""``{{ "村民小组"|say:election }}``: a page's village wording in the words of the election's kind
(居民小组 for a residents' committee), from the one Wording of ``elections.kinds``."""

from django import template

from huanjie.elections import kinds

register = template.Library()


def words_of(election) -> kinds.Wording:
    # One Wording per election object and request: a voter list says it on every row.
    cached = getattr(election, "_wording_cache", None)
    if cached is None:
        cached = kinds.wording(election)
        election._wording_cache = cached
    return cached


@register.filter
def say(text, election) -> str:
    if election is None or not text:
        return text
    return words_of(election).say(str(text))
