"""Services: one module per use case, between the pages and the store.

A service function takes the acting user (:class:`~nlf_planner.services.actor.Actor`),
validates with the domain rules, writes through the store in one transaction with its audit
row, and returns typed results or raises a :class:`~nlf_planner.services.errors.ServiceError`
whose message a person can read. Nothing here imports Streamlit, so the command-line tools and
the tests call exactly what the pages call.
"""
