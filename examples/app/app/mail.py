"""Order receipts (raw MIME with an attachment) and the sending kill switch."""

from email.mime.multipart import MIMEMultipart

from app.clients import ses, ses_v1

SENDER = "Shop <orders@shop.example.com>"


def _deliver(client, message, to):
    client.send_email(FromEmailAddress=SENDER, Destination={"ToAddresses": [to]},
                      Content={"Raw": {"Data": message.as_bytes()}})


def send_receipt(to, pdf):
    message = MIMEMultipart()
    message["From"] = SENDER
    message["X-SES-CONFIGURATION-SET"] = "receipts"
    message.attach(pdf)
    _deliver(ses, message, to)


def stop_sending():
    """Called by the bounce-rate alarm."""
    ses_v1.update_account_sending_enabled(Enabled=False)
