from taskservice.cli import main

main()
