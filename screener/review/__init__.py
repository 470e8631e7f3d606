"""The reviewer's pages as data: the queue of screenings and party hits waiting for a
decision, one screening with its findings, questions and hits, and the charts beside them.
`api/routers/review.py` renders these with Jinja2; nothing here knows about HTTP."""
