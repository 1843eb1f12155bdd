"""Where mail comes from (IMAP, the Maildir drop folder, files). Each feeder calls one port:
``process_batch``, and files a message away only after its case is committed."""
