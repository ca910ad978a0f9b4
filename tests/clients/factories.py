import factory

from frontoffice.clients import services
from frontoffice.clients.validation import ClientInput


def make_client(member, **fields):
    """A client created through the real service (so search indexes and activity are right)."""
    data = ClientInput(**({"first_name": "Jan", "last_name": "Kowalski"} | fields))
    return services.client_create(actor=member, data=data)


class ClientInputFactory(factory.Factory):
    class Meta:
        model = ClientInput

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
