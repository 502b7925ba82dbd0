"""stance: sentence-level stance toward negotiations with militant groups."""
