"""Transcript text → statements, speakers, entities and claims with exact spans (see ingest/TEXT.md)."""

from ingest.text.extract import Extraction, extract
from ingest.text.header import Meta
from ingest.text.pipeline import TextIngestResult, ingest_text

__all__ = ["Extraction", "Meta", "TextIngestResult", "extract", "ingest_text"]
