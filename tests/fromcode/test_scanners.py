"""The scanners, one shape of code per test: what the real corpus (test_corpus.py) showed them missing.

Each test writes a few source files and checks the call sites `scan` finds: the operation, the
content kinds, the From and the other parts it could read as literals.
"""

from __future__ import annotations

import textwrap

import pytest

from seslint.fromcode import scan


def sites(tmp_path, files: dict[str, str]) -> list:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
    return scan([str(tmp_path)], display_root=str(tmp_path)).sites


def brief(site) -> tuple:
    def text(value):
        return None if value is None else value.text
    return (site.file, site.line, site.operation, site.contents, text(site.sender), text(site.configuration_set),
            text(site.template), text(site.region))


def test_go_sdk_v1_composite_literal_and_setters(tmp_path):
    pytest.importorskip("tree_sitter_go")
    found = sites(tmp_path, {"mail.go": '''
        package mail

        import (
        \t"github.com/aws/aws-sdk-go/aws"
        \t"github.com/aws/aws-sdk-go/aws/session"
        \t"github.com/aws/aws-sdk-go/service/ses"
        )

        func Send(name string) {
        \tsess := session.Must(session.NewSession(&aws.Config{Region: aws.String("eu-west-1")}))
        \tsvc := ses.New(sess)
        \tsvc.SendEmail(&ses.SendEmailInput{Source: aws.String("a@example.com")})
        \tinput := new(ses.SendRawEmailInput)
        \tinput.SetSource(name + "<b@example.com>")
        \tinput.SetConfigurationSetName("tx")
        \tsvc.SendRawEmail(input)
        }
        '''})
    assert [brief(s) for s in found] == [
        ("mail.go", 12, "ses:SendEmail", ("simple",), "a@example.com", None, None, "eu-west-1"),
        ("mail.go", 13, "ses:SendRawEmail", ("raw",), "<b@example.com>", "tx", None, "eu-west-1")]
    assert {s.library for s in found} == {"aws-sdk-go (v1)"}


def test_java_sdk_v1_request_with_chain_and_setters(tmp_path):
    pytest.importorskip("tree_sitter_java")
    found = sites(tmp_path, {"Mail.java": '''
        import com.amazonaws.regions.Regions;
        import com.amazonaws.services.simpleemail.*;
        import com.amazonaws.services.simpleemail.model.*;

        class Mail {
          static final String FROM = "a@example.com";
          void send(AmazonSimpleEmailService client, String template) {
            AmazonSimpleEmailService c = AmazonSimpleEmailServiceClientBuilder.standard()
                .withRegion(Regions.EU_WEST_1).build();
            SendEmailRequest request = new SendEmailRequest()
                .withDestination(new Destination().withToAddresses("b@example.com"))
                .withSource(FROM);
            c.sendEmail(request);
            SendTemplatedEmailRequest t = new SendTemplatedEmailRequest();
            t.withTemplate(template);
            t.setSource("c@example.com");
            c.sendTemplatedEmail(t);
          }
        }
        '''})
    assert [brief(s) for s in found] == [
        ("Mail.java", 10, "ses:SendEmail", ("simple",), "a@example.com", None, None, "eu-west-1"),
        ("Mail.java", 14, "ses:SendTemplatedEmail", ("template",), "c@example.com", None, None, "eu-west-1")]


def test_java_client_call_without_request_takes_the_declared_client_type(tmp_path):
    pytest.importorskip("tree_sitter_java")
    found = sites(tmp_path, {"Ids.java": '''
        import software.amazon.awssdk.services.ses.SesClient;
        import software.amazon.awssdk.services.sesv2.SesV2Client;

        class Ids {
          void a() { SesClient client = SesClient.builder().build(); client.listIdentities(); }
          void b() { SesV2Client client = SesV2Client.builder().build(); client.listEmailIdentities(); }
        }
        '''})
    assert [(s.line, s.operation) for s in found] == [(5, "ses:ListIdentities"), (6, "sesv2:ListEmailIdentities")]


def test_kotlin_sdk_dsl_requests_and_trailing_lambdas(tmp_path):
    pytest.importorskip("tree_sitter_kotlin")
    found = sites(tmp_path, {"App.kt": '''
        import aws.sdk.kotlin.services.sesv2.SesV2Client
        import aws.sdk.kotlin.services.sesv2.model.*

        suspend fun main() {
            SesV2Client { region = "eu-central-1" }.use { ses ->
                ses.createContactList(CreateContactListRequest { contactListName = "news" })
                ses.sendEmail {
                    fromEmailAddress = "a@example.com"
                    content = EmailContent { raw = RawMessage { data = bytes } }
                }
            }
        }
        '''})
    assert [brief(s) for s in found] == [
        ("App.kt", 6, "sesv2:CreateContactList", (), None, None, None, "eu-central-1"),
        ("App.kt", 7, "sesv2:SendEmail", ("raw",), "a@example.com", None, None, "eu-central-1")]
    assert found[0].resources == (("contact-list", found[0].resources[0][1]),) and \
        found[0].resources[0][1].text == "news"


def test_php_factory_case_insensitive_class_and_phpmailer_headers(tmp_path):
    pytest.importorskip("tree_sitter_php")
    found = sites(tmp_path, {"send.php": '''
        <?php
        use Aws\\SES\\SESClient;
        $client = SESClient::factory(array('region' => 'us-west-2', 'version' => 'latest'));
        $mail = new PHPMailer;
        $mail->setFrom('a@example.com', 'A');
        $mail->addCustomHeader('X-SES-CONFIGURATION-SET', 'tx');
        $client->sendRawEmail(['RawMessage' => ['Data' => $message]]);
        '''})
    assert [brief(s) for s in found] == [("send.php", 7, "ses:SendRawEmail", ("raw",), "a@example.com", "tx", None,
                                          "us-west-2")]


def test_laravel_transports_in_code_and_in_the_mail_configuration(tmp_path):
    pytest.importorskip("tree_sitter_php")
    found = sites(tmp_path, {"app/Transport.php": '''
        <?php
        use Illuminate\\Mail\\Transport\\SesV2Transport;
        return new SesV2Transport(new \\Aws\\SesV2\\SesV2Client(['region' => 'eu-west-1']));
        ''', "config/mail.php": '''
        <?php
        return [
            'mailers' => ['ses' => ['transport' => 'ses']],
            'from' => ['address' => 'hello@example.com', 'name' => env('MAIL_FROM_NAME')],
        ];
        '''})
    assert [brief(s) for s in found] == [
        ("app/Transport.php", 3, "sesv2:SendEmail", ("raw",), None, None, None, "eu-west-1"),
        ("config/mail.php", 3, "ses:SendRawEmail", ("raw",), "hello@example.com", None, None, None)]


def test_python_client_handed_to_a_class_and_class_attribute_clients(tmp_path):
    found = sites(tmp_path, {"mail.py": '''
        import boto3

        class Sender:
            def __init__(self, ses_client):
                self.ses_client = ses_client

            def send(self, source):
                args = {"Source": source, "Destination": {}, "Message": {}}
                return self.ses_client.send_email(**args)

        class Verifier:
            ses = boto3.client("ses", region_name="eu-west-1")

            @staticmethod
            def verify(address):
                Verifier.ses.verify_email_identity(EmailAddress=address)

        def main():
            Sender(boto3.client("ses")).send("a@example.com")
        '''})
    assert [(s.line, s.operation, s.region.text if s.region else None) for s in found] == [
        (9, "ses:SendEmail", None), (16, "ses:VerifyEmailIdentity", "eu-west-1")]


def test_python_getattr_dispatch_over_the_method_names_the_module_gives(tmp_path):
    found = sites(tmp_path, {"backend.py": '''
        import boto3

        class Backend:
            def open(self):
                self.client = boto3.session.Session().client("sesv2")

            def post(self, payload):
                send = getattr(self.client, payload.api_name)
                return send(**payload.params)

        class RawPayload:
            api_name = "send_email"

        class BulkPayload:
            api_name = "send_bulk_email"

        class Other:
            api_name = "not_an_ses_method"
        '''})
    assert [(s.line, s.operation) for s in found] == [(9, "sesv2:SendBulkEmail"), (9, "sesv2:SendEmail")]


def test_python_smtp_host_with_a_run_time_region_and_settings_in_if_blocks(tmp_path):
    found = sites(tmp_path, {"smtp.py": '''
        import smtplib

        def send(region, sender):
            host = f"email-smtp.{region}.amazonaws.com"
            with smtplib.SMTP(host, 587) as server:
                server.sendmail(sender, ["b@example.com"], "body")
        ''', "settings.py": '''
        import os
        if os.environ.get("AWS"):
            EMAIL_BACKEND = "django_ses.SESBackend"
        '''})
    assert [(s.file, s.line, s.operation, s.region.literal if s.region else None) for s in found] == [
        ("settings.py", 3, "ses:SendRawEmail", None), ("smtp.py", 6, "smtp:SendRawEmail", False)]


def test_ruby_constants_of_other_files_parameters_and_rails_smtp(tmp_path):
    pytest.importorskip("tree_sitter_ruby")
    found = sites(tmp_path, {"config.rb": '''
        SENDER = 'a@example.com'.freeze
        REGION = 'eu-west-1'.freeze
        ''', "send.rb": '''
        require 'aws-sdk-sesv2'
        client = Aws::SESV2::Client.new(region: REGION)
        def send_email(client, sender)
          client.send_email(from_email_address: sender, content: { simple: {} })
        end
        send_email(client, SENDER)
        ''', "config/environments/production.rb": '''
        Rails.application.configure do
          config.action_mailer.delivery_method = :smtp
          config.action_mailer.smtp_settings = { address: 'email-smtp.us-east-2.amazonaws.com', port: 587 }
        end
        ''', "app/mailers/application_mailer.rb": '''
        class ApplicationMailer < ActionMailer::Base
          default from: email_address_with_name('b@example.com', 'B')
        end
        '''})
    assert [brief(s) for s in found] == [
        ("config/environments/production.rb", 3, "smtp:SendRawEmail", ("raw",), "b@example.com", None, None, "us-east-2"),
        ("send.rb", 4, "sesv2:SendEmail", ("simple",), "a@example.com", None, None, "eu-west-1")]


def test_typescript_client_typed_parameter(tmp_path):
    pytest.importorskip("tree_sitter_typescript")
    found = sites(tmp_path, {"send.ts": '''
        import SES from 'aws-sdk/clients/ses';
        export const factory = (ses: SES) => async (template: string) =>
          ses.sendTemplatedEmail({ Source: 'a@example.com', Template: template, Destination: {} }).promise();
        '''})
    assert [(s.line, s.operation, s.library, s.sender.text, s.template.literal) for s in found] == [
        (3, "ses:SendTemplatedEmail", "aws-sdk (v2)", "a@example.com", False)]


def test_phpmailer_over_smtp_to_an_ses_endpoint(tmp_path):
    pytest.importorskip("tree_sitter_php")
    found = sites(tmp_path, {"smtp.php": '''
        <?php
        $host = 'email-smtp.eu-west-1.amazonaws.com';
        $mail = new PHPMailer(true);
        $mail->isSMTP();
        $mail->setFrom('a@example.com', 'A');
        $mail->Host = $host;
        $mail->addCustomHeader('X-SES-CONFIGURATION-SET', 'tx');
        $mail->Send();
        ''', "other.php": '''
        <?php
        $mail = new PHPMailer(true);
        $mail->Host = 'smtp.example.com';
        $mail->send();
        '''})
    assert [brief(s) for s in found] == [("smtp.php", 8, "smtp:SendRawEmail", ("raw",), "a@example.com", "tx", None,
                                          "eu-west-1")]


def test_python_parameters_every_caller_passes_one_literal_for(tmp_path):
    found = sites(tmp_path, {"wrapper.py": '''
        import boto3

        class Wrapper:
            def __init__(self, client):
                self.client = client

            @classmethod
            def from_client(cls):
                return cls(boto3.client("sesv2"))

            def bulk(self, sender, template_name, entries):
                content = {"TemplateName": template_name, "TemplateData": "{}"}
                return self.client.send_bulk_email(FromEmailAddress=sender, DefaultContent={"Template": content},
                                                   BulkEmailEntries=entries)

            def simple(self, sender, configuration_set="tx"):
                return self.client.send_email(FromEmailAddress=sender, ConfigurationSetName=configuration_set,
                                              Content={"Simple": {}})
        ''', "scenario.py": '''
        from wrapper import Wrapper

        class Scenario:
            TEMPLATE = "welcome"

            def __init__(self, wrapper):
                self.wrapper = wrapper
                self.sender = input("From? ")

            def run(self, entries):
                self.wrapper.bulk(self.sender, template_name=self.TEMPLATE, entries=entries)
                self.wrapper.simple(self.sender)
                self.wrapper.simple("a@example.com", configuration_set="other")
        ''', "tests/test_wrapper.py": '''
        from wrapper import Wrapper

        def test_bulk():
            Wrapper(None).bulk("t@example.com", template_name="fixture", entries=[])   # a test's value: not counted
        '''})
    assert [(s.line, s.operation, s.template.text if s.template else None,
             s.configuration_set.literal if s.configuration_set else None, s.sender.literal) for s in found] == [
        (13, "sesv2:SendBulkEmail", "welcome", None, False),
        (17, "sesv2:SendEmail", None, False, False)]   # two callers, two configuration sets: not one literal


def test_ruby_default_from_a_lambda_calling_a_method_and_ses_v2(tmp_path):
    pytest.importorskip("tree_sitter_ruby")
    found = sites(tmp_path, {"config/environments/production.rb": '''
        Rails.application.configure do
          config.action_mailer.delivery_method = :ses_v2
          config.action_mailer.ses_v2_settings = { region: 'ap-northeast-1' }
        end
        ''', "app/mailers/application_mailer.rb": '''
        class ApplicationMailer < ActionMailer::Base
          default from: -> { default_from_address }

          private

          def default_from_address
            name = @conference&.name || 'Team'
            "#{name} Office <noreply@example.com>"
          end
        end
        '''})
    assert [brief(s) for s in found] == [
        ("config/environments/production.rb", 2, "sesv2:SendEmail", ("raw",), "<noreply@example.com>", None, None,
         "ap-northeast-1")]
