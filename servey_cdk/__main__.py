from servey_cdk.cli import main

raise SystemExit(main())
