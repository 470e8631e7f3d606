"""Tools for rule authors: run a pack's examples with coverage, lint beyond the loader, load a
draft pack beside the live one, replay stored screenings through it, and shadow it live."""
