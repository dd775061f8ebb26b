from django.urls import reverse

from .access import ADMIN, COUNTY, DEPARTMENT, OBSERVER, TOWNSHIP, VILLAGE

# (label, url name, roles that see it)
NAV = [
    ("工作台", "home", {COUNTY, TOWNSHIP, VILLAGE, DEPARTMENT, OBSERVER, ADMIN}),
    ("换届工作", "campaigns:list", {COUNTY, TOWNSHIP, VILLAGE, OBSERVER, ADMIN}),
    ("党组织换届", "party:index", {COUNTY, TOWNSHIP, VILLAGE, OBSERVER}),
    ("区域", "people:regions", {COUNTY, TOWNSHIP, VILLAGE, OBSERVER, ADMIN}),
    ("人员", "people:list", {COUNTY, TOWNSHIP, VILLAGE, ADMIN}),
    # review (资格审查): offices see per-tier states; reviewing departments only their own queue
    ("资格审查", "review:home", {COUNTY, TOWNSHIP, VILLAGE}),
    ("审查队列", "review:queue", {DEPARTMENT}),
    ("指挥调度", "oversight:command", {COUNTY, TOWNSHIP}),
    ("突发事件", "oversight:incidents", {VILLAGE}),
    ("三个100%", "oversight:commitments", {VILLAGE}),
    ("统计报表", "reports:home", {COUNTY, TOWNSHIP}),
    ("审计日志", "accounts:audit", {COUNTY, ADMIN}),
    ("账号", "accounts:users", {COUNTY, TOWNSHIP, ADMIN}),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    path = request.path
    items = []
    for label, name, roles in NAV:
        if user.role in roles:
            url = reverse(name)
            active = path == url if url == "/" else path.startswith(url)
            items.append({"label": label, "url": url, "active": active})
    return {"nav_items": items}
