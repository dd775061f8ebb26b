from django import forms

from huanjie.rules.education import EDUCATION_LABELS

from .models import Person, Region, Relation


class PersonForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=40)
    id_number = forms.CharField(label="公民身份号码", max_length=40, required=False,
                                help_text="填写后性别和出生日期由号码自动得出")
    gender = forms.ChoiceField(label="性别（无身份证号码时填写）", choices=[("", "—")] + Person.GENDER_CHOICES,
                               required=False)
    birth_date = forms.DateField(label="出生日期（无身份证号码时填写）", required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))
    ethnicity = forms.CharField(label="民族", max_length=20, initial="汉族")
    education = forms.ChoiceField(label="文化程度", required=False)
    political_status = forms.ChoiceField(label="政治面貌", choices=Person.POLITICAL_CHOICES, initial="none")
    hukou_village = forms.ModelChoiceField(label="户籍所在村（社区）", queryset=Region.objects.none())
    residence_village = forms.ModelChoiceField(label="居住地村（社区）", queryset=Region.objects.none(),
                                               required=False)
    group_name = forms.CharField(label="村民小组", max_length=30, required=False)
    address = forms.CharField(label="家庭住址", max_length=120, required=False)
    phone = forms.RegexField(label="联系电话", regex=r"^[0-9\-+ ]{0,20}$", required=False,
                             error_messages={"invalid": "电话号码只能包含数字、空格、加号和连字符"})
    deprived_from = forms.DateField(label="剥夺政治权利起", required=False,
                                    widget=forms.DateInput(attrs={"type": "date"}))
    deprived_until = forms.DateField(label="剥夺政治权利止", required=False,
                                     widget=forms.DateInput(attrs={"type": "date"}))
    deprived_lifetime = forms.BooleanField(label="终身剥夺政治权利", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        villages = Region.objects.visible_to(user).current().filter(level=Region.VILLAGE)
        self.fields["hukou_village"].queryset = villages
        # Only the villages of the account's scope: other counties' villages are not listed (issue 9 §3).
        self.fields["residence_village"].queryset = villages
        self.fields["education"].choices = [("", "—")] + sorted(EDUCATION_LABELS.items())


class RelationForm(forms.Form):
    KIND_CHOICES = [
        ("spouse", "配偶"), ("parent_of", "是其父/母（本人为长辈）"), ("child_of", "是其子/女（本人为晚辈）"),
        ("sibling", "兄弟姐妹"), ("grandparent_of", "是其祖父母"), ("grandchild_of", "是其孙子女"),
        ("maternal_grandparent_of", "是其外祖父母"), ("maternal_grandchild_of", "是其外孙子女"),
    ]
    other_id_number = forms.CharField(label="对方身份证号码", max_length=40)
    kind = forms.ChoiceField(label="本人与对方的关系", choices=KIND_CHOICES)

    MAP = {
        "spouse": (Relation.SPOUSE, True), "sibling": (Relation.SIBLING, True),
        "parent_of": (Relation.PARENT, True), "child_of": (Relation.PARENT, False),
        "grandparent_of": (Relation.GRANDPARENT, True), "grandchild_of": (Relation.GRANDPARENT, False),
        "maternal_grandparent_of": (Relation.MATERNAL_GRANDPARENT, True),
        "maternal_grandchild_of": (Relation.MATERNAL_GRANDPARENT, False),
    }
