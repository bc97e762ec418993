from __future__ import annotations

import factory

from customers.models import LoginRecord
from tests.factories import CustomerFactory


class LoginRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LoginRecord

    customer = factory.SubFactory(CustomerFactory)
    ip = "81.2.69.160"
    country_code = "GB"
    host = "network.localhost"
