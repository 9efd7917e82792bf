resource "aws_ses_identity_policy" "sending_authorization" {
  identity = "arn:aws:ses:us-east-1:111122223333:identity/example.com"
  name     = "sending-authorization"
  policy   = jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [
      {
        "Sid" = "AuthorizeDelegatedSending"
        "Effect" = "Allow"
        "Principal" = {
          "AWS" = [
            "arn:aws:iam::222233334444:root",
          ]
        }
        "Action" = [
          "ses:SendBulkTemplatedEmail",
          "ses:SendEmail",
          "ses:SendRawEmail",
          "ses:SendTemplatedEmail",
        ]
        "Resource" = [
          "arn:aws:ses:us-east-1:111122223333:identity/example.com",
        ]
        "Condition" = {
          "ForAllValues:StringLike" = {
            "ses:Recipients" = [
              "*@example.org",
            ]
          }
          "Null" = {
            "ses:Recipients" = "false"
          }
        }
      },
    ]
  })
}
