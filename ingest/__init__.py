"""Getting knowledge into Parley: YAML records and transcripts → RDF with provenance."""
