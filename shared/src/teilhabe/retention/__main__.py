from teilhabe.retention.document import main

raise SystemExit(main())
