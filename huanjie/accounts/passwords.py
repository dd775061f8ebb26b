"""Password rules in Chinese, for ``AUTH_PASSWORD_VALIDATORS``.

Django's own validators translate their messages through the request's language, so a clerk
whose browser asks for English reads "This password is too short"; and its similarity check
lets a password equal to the user name through when the name is short. These subclasses keep
Django's checks where they are right (the common-password list) and give every message in
Chinese whatever the language.
"""

from __future__ import annotations

from django.contrib.auth import password_validation as django_validation
from django.core.exceptions import ValidationError


class MinimumLengthValidator(django_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return f"密码太短：至少需要 {self.min_length} 个字符。"

    def get_help_text(self) -> str:
        return f"至少 {self.min_length} 个字符"


class NotUsernameValidator:
    """The password is not the user name and does not contain it (letter case ignored)."""

    def validate(self, password: str, user=None) -> None:
        username = (getattr(user, "username", "") or "").strip().lower()
        if not username:
            return
        if username in password.lower():
            raise ValidationError("密码不能与用户名相同，也不能包含用户名。", code="password_contains_username")

    def get_help_text(self) -> str:
        return "不能与用户名相同，也不能包含用户名"


class NumericPasswordValidator(django_validation.NumericPasswordValidator):
    def get_error_message(self) -> str:
        return "密码不能全是数字：请混合使用字母和数字。"

    def get_help_text(self) -> str:
        return "不能全是数字"


class CommonPasswordValidator(django_validation.CommonPasswordValidator):
    """Django's list of 20,000 common passwords (it holds 123456, password, qwerty, …)."""

    def get_error_message(self) -> str:
        return "这个密码太常见，容易被猜中，请换一个。"

    def get_help_text(self) -> str:
        return "不能是常见密码（如 12345678、password、qwerty123）"


def minimum_length() -> int:
    """The configured minimum length (for the account notice's instructions)."""
    for validator in django_validation.get_default_password_validators():
        if isinstance(validator, django_validation.MinimumLengthValidator):
            return validator.min_length
    return 0
