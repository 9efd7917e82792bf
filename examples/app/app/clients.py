"""The SES clients of the example app, built once and imported by the modules that send."""

import boto3

ses = boto3.client("sesv2", region_name="eu-west-1")
ses_v1 = boto3.client("ses", region_name="eu-west-1")
