"""The weekly newsletter: a v2 bulk send of a stored template, From chosen per brand at run time."""

from app.clients import ses


def send_newsletter(brand, entries):
    ses.send_bulk_email(
        FromEmailAddress=brand.sender,
        DefaultContent={"Template": {"TemplateName": "weekly-newsletter", "TemplateData": "{}"}},
        BulkEmailEntries=entries,
        ConfigurationSetName="marketing",
    )
