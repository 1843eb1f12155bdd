"""From an application's text to a structured ``Application``. Pure: no database, no sockets."""
