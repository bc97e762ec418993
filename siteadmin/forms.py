from __future__ import annotations

from django import forms
from django.contrib.auth.forms import SetPasswordForm

from siteadmin.models import LANGUAGES, SiteSettings, TeamMember, time_zones

EMAIL_MAX_LENGTH = 150  # an invited account's email is its username too


class PlainForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class SiteSettingsForm(PlainForm):
    title = forms.CharField(max_length=SiteSettings._meta.get_field("title").max_length)
    tagline = forms.CharField(
        required=False, max_length=SiteSettings._meta.get_field("tagline").max_length
    )
    language = forms.ChoiceField(choices=LANGUAGES)
    time_zone = forms.ChoiceField(label="Time zone", choices=time_zones)


class AccountForm(PlainForm):
    first_name = forms.CharField(required=False, max_length=150)
    last_name = forms.CharField(required=False, max_length=150)
    email = forms.EmailField(
        max_length=254, help_text="A new address stays pending until it is verified."
    )


class PasswordChangeForm(PlainForm):
    old_password = forms.CharField(
        label="Current password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label="New password",
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class DomainRequestForm(PlainForm):
    domain = forms.CharField(
        max_length=253, widget=forms.TextInput(attrs={"placeholder": "shop.example.com"})
    )


class TeamInviteForm(PlainForm):
    email = forms.EmailField(max_length=EMAIL_MAX_LENGTH)
    role = forms.ChoiceField(choices=TeamMember.Role.choices, initial=TeamMember.Role.EDITOR)


class JoinForm(SetPasswordForm):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
