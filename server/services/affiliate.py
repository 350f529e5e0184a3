"""APIAffiliateService.*, AffiliateService.getRedirectLinksForAffiliate and AffiliateProgramService.*

Affiliate master data itself is DataService's (the Affiliate table). The reports' service is named
APIAffiliateService on the wire; a call to ``AffiliateService.affPayouts`` gets ``No such handler`` from
the real server (spec §2.9), and so it does here.
"""
from __future__ import annotations

from server.domain.affiliates import phone_stats, programs, reports
from server.domain.session import AppSession
from server.xmlrpc.methods import P, xmlrpc


@xmlrpc("APIAffiliateService.affClawbacks", P.INT, P.DATE, P.DATE, writes=False)
def aff_clawbacks(s: AppSession, affiliate_id: int, start, end) -> list:
    return reports.clawbacks(s, affiliate_id, start, end)


@xmlrpc("APIAffiliateService.affCommissions", P.INT, P.DATE, P.DATE, writes=False)
def aff_commissions(s: AppSession, affiliate_id: int, start, end) -> list:
    return reports.commissions(s, affiliate_id, start, end)


@xmlrpc("APIAffiliateService.affPayouts", P.INT, P.DATE, P.DATE, writes=False)
def aff_payouts(s: AppSession, affiliate_id: int, start, end) -> list:
    return reports.payouts(s, affiliate_id, start, end)


@xmlrpc("APIAffiliateService.affRunningTotals", P.ARRAY, writes=False)
def aff_running_totals(s: AppSession, affiliate_ids: list) -> list:
    return reports.running_totals(s, affiliate_ids)


# affSummary's first parameter is named affiliateId in the PHP SDK and the 2014 docs but documented as an
# array of ids (spec §2.9): both are answered.
@xmlrpc("APIAffiliateService.affSummary", P.ARRAY, P.DATE, P.DATE, writes=False)
def aff_summary(s: AppSession, affiliate_ids: list, start, end) -> list:
    return reports.summary(s, affiliate_ids, start, end)


@xmlrpc("APIAffiliateService.affSummary", P.INT, P.DATE, P.DATE, writes=False)
def aff_summary_one(s: AppSession, affiliate_id: int, start, end) -> list:
    return reports.summary(s, [affiliate_id], start, end)


@xmlrpc("AffiliateService.getRedirectLinksForAffiliate", P.INT, writes=False)
def get_redirect_links(s: AppSession, affiliate_id: int) -> list:
    return programs.redirect_links(s, affiliate_id)


@xmlrpc("AffiliateProgramService.getAffiliatePrograms", writes=False)
def get_affiliate_programs(s: AppSession) -> list:
    return programs.programs(s)


@xmlrpc("AffiliateProgramService.getAffiliatesByProgram", P.INT, writes=False)
def get_affiliates_by_program(s: AppSession, program_id: int) -> list:
    return programs.affiliates_of_program(s, program_id)


@xmlrpc("AffiliateProgramService.getProgramsForAffiliate", P.INT, writes=False)
def get_programs_for_affiliate(s: AppSession, affiliate_id: int) -> list:
    return programs.programs_for(s, affiliate_id)


@xmlrpc("AffiliateProgramService.getResourcesForAffiliateProgram", P.INT, writes=False)
def get_resources_for_program(s: AppSession, program_id: int) -> list:
    return programs.resources_of_program(s, program_id)


# ☆ (Novak only, which sends it to both services; its calls cast only ``calls``): an affiliate's call statistics.
@xmlrpc("AffiliateService.updatePhoneStats", P.STRING, P.STRING, P.INT, P.ANY, P.ANY)
def update_phone_stats(s: AppSession, first_name: str, last_name: str, calls: int, total_time, average_time) -> bool:
    return phone_stats.update(s, first_name, last_name, calls, total_time, average_time)


@xmlrpc("APIAffiliateService.updatePhoneStats", P.STRING, P.STRING, P.INT, P.ANY, P.ANY)
def update_phone_stats_api(s: AppSession, first_name: str, last_name: str, calls: int, total_time,
                           average_time) -> bool:
    return phone_stats.update(s, first_name, last_name, calls, total_time, average_time)
