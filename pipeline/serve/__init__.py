"""`stance serve`: one loaded model over HTTP, as a JSON API and as Label Studio's ML backend (docs/serving.md)."""
