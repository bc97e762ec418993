from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from customers.models import User


class EmailOrUsernameBackend(ModelBackend):
    """Log in with the username or the email address, in any letter case (both are unique
    on the network regardless of case).

    A handle with "@" is tried as an email first, then as a username: Django's username
    validator allows "@" too."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        user = User.objects.with_email(username).first() if "@" in username else None
        if user is None:
            user = User.objects.with_username(username).first()
        if user is None:
            User().set_password(password)  # an unknown handle costs a hash too: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
