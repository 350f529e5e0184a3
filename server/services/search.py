"""SearchService.*: saved searches (SavedFilter) and the quick search."""
from __future__ import annotations

from server.domain.data import searches
from server.domain.session import AppSession
from server.xmlrpc.methods import P, xmlrpc


@xmlrpc("SearchService.getSavedSearchResultsAllFields", P.INT, P.INT, P.INT, writes=False)
def get_saved_search_results_all_fields(s: AppSession, search_id: int, user_id: int, page: int) -> list:
    return searches.results_all_fields(s, search_id, user_id, page)


@xmlrpc("SearchService.getSavedSearchResults", P.INT, P.INT, P.INT, P.ARRAY, writes=False)
def get_saved_search_results(s: AppSession, search_id: int, user_id: int, page: int, fields: list) -> list:
    return searches.results(s, search_id, user_id, page, fields)


@xmlrpc("SearchService.getAllReportColumns", P.INT, P.INT, writes=False)
def get_all_report_columns(s: AppSession, search_id: int, user_id: int) -> dict:
    return searches.report_columns(s, search_id, user_id)


@xmlrpc("SearchService.getAvailableQuickSearches", P.INT, writes=False)
def get_available_quick_searches(s: AppSession, user_id: int) -> dict:
    return searches.available_quick_searches(s, user_id)


@xmlrpc("SearchService.getDefaultQuickSearch", P.INT, writes=False)
def get_default_quick_search(s: AppSession, user_id: int) -> str:
    return searches.default_quick_search(s, user_id)


@xmlrpc("SearchService.quickSearch", P.STRING, P.INT, P.STRING, P.INT, P.INT, writes=False)
def quick_search(s: AppSession, search_type: str, user_id: int, text: str, page: int, limit: int) -> list:
    return searches.quick_search(s, search_type, user_id, text, page, limit)
