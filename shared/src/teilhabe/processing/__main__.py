from teilhabe.processing.document import main

raise SystemExit(main())
