from companies.models.channels import Address, Email, Phone, Website
from companies.models.contacts import Contact, FirmContact
from companies.models.firms import Firm, FirmGroup, Tag

__all__ = [
    "Address",
    "Contact",
    "Email",
    "Firm",
    "FirmContact",
    "FirmGroup",
    "Phone",
    "Tag",
    "Website",
]
