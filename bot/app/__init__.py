"""Wiring: configuration, the Application, update processing, web server, reminder jobs."""
