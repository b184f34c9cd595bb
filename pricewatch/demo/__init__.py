"""The demo data set: a realistic mall of office equipment over six months (see `plan`).

`tables` holds the catalogue's names and texts, `catalog` makes suppliers, products and listings,
`market` the quotes and monitored prices, `story` the shredder of the story, `timeline` the state of
each listing over time, `fates` what becomes of flagged listings, `orders` the mall's orders, and
`plan` simulates the months into timed steps that `pricewatch.services.demo` plays through the
real services. `files` writes the CSV files and evidence PDFs those services read.
"""
