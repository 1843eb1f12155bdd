"""Reading mail: MIME, charsets, HTML, attachments, quotes and noise. Pure: bytes in, text out."""
