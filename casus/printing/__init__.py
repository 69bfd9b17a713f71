"""Printable packs (PDF): the case summary, a meeting's agenda and minutes per organisation and the voordracht,
rendered from HTML templates by WeasyPrint, each page marked confidential with the reader's organisation and the
print time, and each print audited. A reader sees in a PDF exactly what they may see on screen."""
