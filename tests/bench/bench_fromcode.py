"""Benchmark: `seslint generate --from-code` on a 1,000-file repository.

    python tests/bench/bench_fromcode.py [--files 1000] [--repeat 3]

Writes a repository under tests/bench/.work/fromcode/: source files in every language the scan
reads (Python, JavaScript, TypeScript, Go, Java, Kotlin, PHP, Ruby), one in ten making SES calls
(sends of every kind, clients built in one module and used in another, mail settings), the rest
ordinary application code of a few hundred lines that still mentions mail (so the cheap text test
lets many of them through to the parser). Times the whole command as a process (interpreter
start-up, the scan, the policy and its proofs), median of --repeat runs, and prints the figure
against the 10 s budget, and the scan alone. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / ".work" / "fromcode"

SES = {
    "py": ("import boto3\nfrom .clients_{n} import ses\n\nSENDER = 'app{n}@example.com'\n\n\n"
           "def send_{n}(to, body):\n    ses.send_email(FromEmailAddress=SENDER, Destination={{'ToAddresses': [to]}},\n"
           "                   Content={{'Raw': {{'Data': body}}}}, ConfigurationSetName='tx{n}')\n"),
    "ts": ("import {{ SESv2Client, SendEmailCommand }} from '@aws-sdk/client-sesv2';\n"
           "const client = new SESv2Client({{ region: 'eu-west-1' }});\n"
           "export async function send{n}(to: string) {{\n  await client.send(new SendEmailCommand({{\n"
           "    FromEmailAddress: 'web{n}@example.com', Destination: {{ ToAddresses: [to] }},\n"
           "    Content: {{ Simple: {{ Subject: {{ Data: 'hi' }}, Body: {{ Text: {{ Data: 'x' }} }} }} }} }}));\n}}\n"),
    "go": ("package mail\n\nimport (\n\t\"github.com/aws/aws-sdk-go-v2/aws\"\n\t\"github.com/aws/aws-sdk-go-v2/service/ses\"\n)\n\n"
           "func Send{n}() *ses.SendTemplatedEmailInput {{\n\treturn &ses.SendTemplatedEmailInput{{Source: aws.String(\"go{n}@example.com\"),"
           " Template: aws.String(\"t{n}\")}}\n}}\n"),
    "java": ("import software.amazon.awssdk.services.sesv2.model.*;\nclass Mail{n} {{\n  SendEmailRequest r() {{\n"
             "    return SendEmailRequest.builder().fromEmailAddress(\"java{n}@example.com\")\n"
             "      .content(EmailContent.builder().raw(RawMessage.builder().build()).build()).build();\n  }}\n}}\n"),
    "kt": ("import software.amazon.awssdk.services.ses.model.SendEmailRequest\n"
           "fun mail{n}() = SendEmailRequest.builder().source(\"kt{n}@example.com\").build()\n"),
    "php": ("<?php\nuse Aws\\Ses\\SesClient;\n$ses = new SesClient(['region' => 'us-east-1', 'version' => '2010-12-01']);\n"
            "$ses->sendRawEmail(['Source' => 'php{n}@example.com', 'RawMessage' => ['Data' => $m]]);\n"),
    "rb": ("ses = Aws::SESV2::Client.new(region: 'us-west-2')\n"
           "ses.send_email(from_email_address: 'rb{n}@example.com', content: {{ simple: {{}} }})\n"),
}
FILLER = {
    "py": "def handler_{n}_{i}(request):\n    # email notifications are queued elsewhere\n    data = request.json()\n"
          "    return {{'ok': True, 'items': [x * {i} for x in range(10)], 'user': data.get('email')}}\n\n\n",
    "js": "export function handler{n}_{i}(req) {{\n  // send email later\n  const items = req.body.items.map((x) => x * {i});\n"
          "  return {{ ok: true, items }};\n}}\n\n",
    "ts": "export function handler{n}_{i}(req: any): any {{\n  // email sender address from config\n"
          "  const items: number[] = req.body.items.map((x: number) => x * {i});\n  return {{ ok: true, items }};\n}}\n\n",
    "go": "func Handler{n}_{i}(x int) int {{\n\t// email uses ses elsewhere\n\treturn x * {i}\n}}\n\n",
    "java": "  int handler{n}_{i}(int x) {{ /* email via ses elsewhere */ return x * {i}; }}\n",
    "kt": "fun handler{n}_{i}(x: Int): Int = x * {i} // email\n",
    "php": "function handler_{n}_{i}($x) {{ /* email uses ses */ return $x * {i}; }}\n",
    "rb": "def handler_{n}_{i}(x)\n  # email uses ses\n  x * {i}\nend\n\n",
}
HEADERS = {"go": "package app\n\n", "java": "class App{n} {{\n", "php": "<?php\n"}
FOOTERS = {"java": "}\n"}


def write_repository(files: int) -> Path:
    shutil.rmtree(WORK, ignore_errors=True)
    exts = list(FILLER)
    for n in range(files):
        ext = exts[n % len(exts)]
        folder = WORK / f"pkg{n % 40}"
        folder.mkdir(parents=True, exist_ok=True)
        if n % 10 == 0 and ext in SES or (n % 10 == 0 and ext == "js"):
            kind = ext if ext in SES else "ts"
            text = SES[kind].format(n=n)
            if kind == "py":
                (folder / f"clients_{n}.py").write_text("import boto3\nses = boto3.client('sesv2', region_name='us-east-1')\n")
            (folder / f"mail_{n}.{kind}").write_text(text)
            continue
        body = HEADERS.get(ext, "").format(n=n) + "".join(FILLER[ext].format(n=n, i=i) for i in range(40)) + \
            FOOTERS.get(ext, "")
        (folder / f"module_{n}.{ext}").write_text(body)
    return WORK


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    repo = write_repository(args.files)
    count = sum(1 for p in repo.rglob("*") if p.is_file())
    seslint = shutil.which("seslint") or f"{sys.executable} -m seslint"
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        run = subprocess.run([*seslint.split(), "generate", "--from-code", str(repo)], capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        if run.returncode != 0:
            print(run.stderr, file=sys.stderr)
            return 1
    summary = run.stderr.strip().splitlines()[-1]
    median = statistics.median(times)
    from seslint.fromcode import scan

    start = time.perf_counter()
    scan([str(repo)])
    scanned = time.perf_counter() - start
    print(f"{count} files: seslint generate --from-code in {median:.2f} s (median of {args.repeat}; budget 10 s) "
          f"[{summary.removeprefix('seslint: ')}]; the scan alone, in process: {scanned:.2f} s")
    return 0 if median <= 10 else 1


if __name__ == "__main__":
    sys.exit(main())
