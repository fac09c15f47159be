from companies.models.channels import Address, Email, Phone, Website
from companies.models.contacts import Contact, FirmContact
from companies.models.custom import CustomField
from companies.models.firms import Firm, FirmGroup, Tag

__all__ = [
    "Address",
    "Contact",
    "CustomField",
    "Email",
    "Firm",
    "FirmContact",
    "FirmGroup",
    "Phone",
    "Tag",
    "Website",
]
from companies.models.claims import Claim, ClaimStatus  # noqa: F401
from companies.models.comments import Comment  # noqa: F401
from companies.models.imports import ExportJob, ImportJob  # noqa: F401
from companies.models.lists import CustomerList, CustomerListEntry  # noqa: F401
from companies.models.references import Reference, Sample  # noqa: F401
