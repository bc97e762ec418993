from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.forms import SetPasswordForm
from django.utils.translation import gettext_lazy as _

from siteadmin.models import SiteSettings, TeamMember, time_zones

EMAIL_MAX_LENGTH = 150  # an invited account's email is its username too


def languages() -> list[tuple[str, str]]:
    return settings.LANGUAGES


class PlainForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class SiteSettingsForm(PlainForm):
    title = forms.CharField(
        label=_("Title"), max_length=SiteSettings._meta.get_field("title").max_length
    )
    tagline = forms.CharField(
        label=_("Tagline"),
        required=False,
        max_length=SiteSettings._meta.get_field("tagline").max_length,
    )
    language = forms.ChoiceField(label=_("Language"), choices=languages)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zones)


class AccountForm(PlainForm):
    first_name = forms.CharField(label=_("First name"), required=False, max_length=150)
    last_name = forms.CharField(label=_("Last name"), required=False, max_length=150)
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        help_text=_("A new address stays pending until it is verified."),
    )


class PasswordChangeForm(PlainForm):
    old_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label=_("New password"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class DomainRequestForm(PlainForm):
    domain = forms.CharField(
        label=_("Domain"),
        max_length=253,
        widget=forms.TextInput(attrs={"placeholder": "shop.example.com"}),
    )


class TeamInviteForm(PlainForm):
    email = forms.EmailField(label=_("Email"), max_length=EMAIL_MAX_LENGTH)
    role = forms.ChoiceField(
        label=_("Role"), choices=TeamMember.Role.choices, initial=TeamMember.Role.EDITOR
    )


class JoinForm(SetPasswordForm):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
