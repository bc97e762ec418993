from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.db.models.functions import Upper

from customers.models import User


class EmailOrUsernameBackend(ModelBackend):
    """Log in with the username or the email address (emails are unique on the network)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username and "@" in username:
            user = (
                User.objects.annotate(email_upper=Upper("email"))
                .filter(email_upper=username.upper())
                .first()
            )
            if user is None:
                User().set_password(password)  # same cost as a real check: no timing oracle
                return None
            if user.check_password(password) and self.user_can_authenticate(user):
                return user
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
