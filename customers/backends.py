from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from customers.models import User


class EmailOrUsernameBackend(ModelBackend):
    """Log in with the username or the email address (emails are unique on the network).

    A handle with "@" is tried as an email first, then as a username: Django's username
    validator allows "@" too."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username and "@" in username:
            user = User.objects.with_email(username).first()
            if user is not None:
                if user.check_password(password) and self.user_can_authenticate(user):
                    return user
                return None
        # ModelBackend runs the password hasher for an unknown username too: no timing oracle.
        return super().authenticate(request, username=username, password=password, **kwargs)
