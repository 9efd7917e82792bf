from seslint.cli import main

main()
