// Sign-up confirmation mail from the web front end, through nodemailer's SES transport.
import nodemailer from "nodemailer";
import { SESv2Client, SendEmailCommand } from "@aws-sdk/client-sesv2";

const sesClient = new SESv2Client({ region: "eu-west-1" });
const transporter = nodemailer.createTransport({ SES: { sesClient, SendEmailCommand } });

export async function confirm(to: string, link: string) {
  await transporter.sendMail({ from: "welcome@shop.example.com", to, subject: "Confirm", text: link });
}
