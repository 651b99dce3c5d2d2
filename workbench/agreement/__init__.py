"""Inter-reviewer agreement: how far the reviewers' verdicts on the same claims can be trusted."""
