"""The review service layer: what the app, the CLI and the tests all call."""
