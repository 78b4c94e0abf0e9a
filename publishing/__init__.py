"""What the public reads: the board and destination pages, the read API, Atom feeds, the
timeline SVG and the page cache.

It sits above both apps and reads them (``destinations`` for places and status history,
``advisories`` for the evidence behind it); neither imports it. It writes nothing but the page
cache.
"""
