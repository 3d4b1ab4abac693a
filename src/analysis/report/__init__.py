"""Presentation: number wording, sentences, the headline box, display tables, charts and the
export of executed notebooks to self-contained HTML notes."""
