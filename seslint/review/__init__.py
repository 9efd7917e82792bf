"""Changes in SES send reach between two versions of the same inputs: `seslint diff` and `seslint review`.

    sides.read(loaded, file) -> [Subject]     the policies of one file, by where they live (the linter's reader)
    compare.compare(old, new) -> Change|None  what sends one side allows and the other does not (seslint.prove)
    git.Repository                            files at a revision, read with git, never touching the work tree
    run.review(...) -> Review                 every changed lint input under some paths, paired, compared, and
                                              the lint findings new at head
    render                                    text, json, github, markdown and sarif

A subject is one policy (a raw policy file, a CloudFormation logical id and policy name, a Terraform
address, an `Fn::If` branch) or one principal of authorization details (its inline, attached and group
policies and its permissions boundary). Subjects pair by that place; one that appears or disappears is
compared with nothing.
"""
