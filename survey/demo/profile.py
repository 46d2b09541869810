"""The demo force's make-up and the group differences planted in its answers.

Numbers only: survey/demo/synthetic.py (whose docstring lists the planted effects) turns
them into answers.
"""

from __future__ import annotations

# --- composition -------------------------------------------------------------------------

WORKER_TYPES = {"police_officer": 57, "police_staff": 34, "pcso": 5, "special_constable": 3,
                "volunteer": 1}
RANKS = {"constable": 740, "sergeant": 150, "inspector": 60, "chief_inspector": 25,
         "superintendent": 15, "chief_superintendent": 7, "chief_officer": 3}
STAFF_GRADES = {
    "police_staff": {"band_a_to_c": 30, "band_d_to_f": 45, "band_g_to_i": 20,
                     "band_j_and_above": 5},
    "pcso": {"band_a_to_c": 55, "band_d_to_f": 45},
}
FEMALE_SHARE = {"police_officer": 0.38, "police_staff": 0.63, "pcso": 0.47,
                "special_constable": 0.30, "volunteer": 0.55}
SENIOR_FEMALE_SHARE = 0.28  # inspector and above
ETHNICITY = {
    "white_british": 845, "irish": 12, "gypsy_traveller": 2, "roma": 1, "white_other": 40,
    "mixed_white_black_caribbean": 8, "mixed_white_black_african": 4, "mixed_white_asian": 8,
    "mixed_other": 5, "indian": 15, "pakistani": 14, "bangladeshi": 4, "chinese": 3,
    "asian_other": 6, "caribbean": 6, "african": 9, "black_other": 2, "arab": 2,
    "other_ethnic_group": 4,
}
WHITE = {"white_british", "irish", "gypsy_traveller", "roma", "white_other"}
RELIGION_BACKGROUND = {"pakistani": "muslim", "bangladeshi": "muslim", "arab": "muslim",
                       "indian": "indian", "caribbean": "black", "african": "black",
                       "black_other": "black"}
RELIGION = {
    "white": {"no_religion": 52, "christian": 44, "buddhist": 1, "jewish": 1, "muslim": 1,
              "other_religion": 1},
    "muslim": {"muslim": 85, "no_religion": 10, "christian": 3, "other_religion": 2},
    "indian": {"hindu": 42, "sikh": 28, "muslim": 10, "christian": 8, "no_religion": 12},
    "black": {"christian": 62, "muslim": 15, "no_religion": 20, "other_religion": 3},
    "other": {"no_religion": 45, "christian": 30, "muslim": 10, "buddhist": 8,
              "other_religion": 7},
}
SEXUAL_ORIENTATION = {"straight": 910, "gay_lesbian": 40, "bisexual": 35,
                      "other_orientation": 5}
AGE = {
    "police_officer": {"under_26": 13, "age_26_to_40": 50, "age_41_to_55": 33, "over_55": 4},
    "police_staff": {"under_26": 7, "age_26_to_40": 32, "age_41_to_55": 40, "over_55": 21},
    "pcso": {"under_26": 15, "age_26_to_40": 40, "age_41_to_55": 30, "over_55": 15},
    "special_constable": {"under_26": 35, "age_26_to_40": 40, "age_41_to_55": 20,
                          "over_55": 5},
    "volunteer": {"under_26": 10, "age_26_to_40": 15, "age_41_to_55": 25, "over_55": 50},
}
OLDER = ["age_41_to_55", "over_55"]
SERVICE = {
    "under_26": {"under_2_years": 50, "years_2_to_5": 45, "years_6_to_10": 5},
    "age_26_to_40": {"under_2_years": 15, "years_2_to_5": 30, "years_6_to_10": 30,
                     "years_11_to_20": 25},
    "age_41_to_55": {"under_2_years": 5, "years_2_to_5": 10, "years_6_to_10": 15,
                     "years_11_to_20": 35, "over_20_years": 35},
    "over_55": {"under_2_years": 4, "years_2_to_5": 8, "years_6_to_10": 13,
                "years_11_to_20": 30, "over_20_years": 45},
}
PART_TIME_SHARE = {  # (male, female)
    "police_officer": (0.03, 0.17), "police_staff": (0.10, 0.35), "pcso": (0.05, 0.12),
    "special_constable": (0.80, 0.80), "volunteer": (0.80, 0.80),
}
DISABILITY_IMPACT = {"a_lot": 12, "a_little": 45, "not_at_all": 43}
UNIT_PROFILE = {"police_officer": "officer", "special_constable": "officer", "pcso": "pcso",
                "police_staff": "staff", "volunteer": "staff"}
UNIT_WEIGHTS = {  # units not listed here (another force's tree) get DEFAULT_UNIT_WEIGHT
    "officer": {"north_response": 10, "north_neighbourhood": 7, "north_cid": 4, "north_lpa": 3,
                "south_response": 9, "south_neighbourhood": 6, "south_cid": 4, "south_lpa": 3,
                "east_response": 10, "east_neighbourhood": 7, "east_cid": 4, "east_lpa": 3,
                "contact_management": 4, "crime_public_protection": 10,
                "operational_support": 8, "corporate_services": 2, "human_resources": 0.5,
                "finance": 0.2},
    "pcso": {"north_neighbourhood": 30, "south_neighbourhood": 30, "east_neighbourhood": 30,
             "north_lpa": 3, "south_lpa": 3, "east_lpa": 3, "contact_management": 1},
    "staff": {"contact_management": 30, "corporate_services": 6, "human_resources": 8,
              "finance": 6, "crime_public_protection": 12, "operational_support": 8,
              "north_lpa": 4, "south_lpa": 4, "east_lpa": 4, "north_cid": 2, "south_cid": 2,
              "east_cid": 2},
}
DEFAULT_UNIT_WEIGHT = 2.0
EAST_LPA = {"east_lpa", "east_response", "east_neighbourhood", "east_cid"}
HIGH_DEMAND_UNITS = {"north_response", "south_response", "east_response", "contact_management"}

# --- planted effects ---------------------------------------------------------------------

EFFECTS = (  # (latent, respondent flag, shift in SD)
    ("wellbeing", "disabled", -0.6),
    ("burnout", "disabled", 0.5),
    ("wellbeing", "carer", -0.35),
    ("burnout", "carer", 0.35),
    ("promotion", "ethnic_minority", -0.6),
    ("promotion", "female", -0.35),
    ("pdr", "part_time", -0.35),
    ("manager", "east_lpa", -0.7),
    ("burnout", "high_demand_unit", 0.35),
    ("manager", "reticent", -0.4),
    ("promotion", "reticent", -0.4),
)
ITEM_EFFECTS = {"pdr_regular": (("part_time", -0.8),)}  # in answer points
TREND_PER_WAVE = {"wellbeing": 0.12, "burnout": -0.1, "manager": 0.15}
HAD_MEETING = {  # yes/no items: P(yes) = base + slope * pdr latent - part-time penalty
    "pdr_had": (0.78, 0.08, 0.18),
    "one_to_one_had": (0.86, 0.06, 0.15),
}

# --- answers -----------------------------------------------------------------------------

ITEMS = {  # item: (latent, mean answer, answer change per SD of the latent)
    "who5_1": ("wellbeing", 2.9, 1.0), "who5_2": ("wellbeing", 2.6, 1.0),
    "who5_3": ("wellbeing", 2.6, 1.0), "who5_4": ("wellbeing", 2.2, 1.0),
    "who5_5": ("wellbeing", 3.0, 1.0),
    "ons4_satisfied": ("wellbeing", 6.6, 1.5), "ons4_worthwhile": ("wellbeing", 7.2, 1.3),
    "ons4_happy": ("wellbeing", 6.6, 1.6), "ons4_anxious": ("wellbeing", 3.6, -1.6),
    "cbi_1": ("burnout", 52, 20), "cbi_2": ("burnout", 45, 20), "cbi_3": ("burnout", 55, 20),
    "cbi_4": ("burnout", 60, 20), "cbi_5": ("burnout", 40, 20), "cbi_6": ("burnout", 33, 20),
    "cbi_7": ("burnout", 50, -18),
    "lm_notices_struggling": ("manager", 3.6, 0.9), "lm_talk_wellbeing": ("manager", 3.8, 0.9),
    "lm_checks_wellbeing": ("manager", 3.5, 0.9), "know_wellbeing_support": ("manager", 4.0, 0.5),
    "concern_acted_on": ("manager", 3.3, 0.8),
    "pdr_regular": ("pdr", 3.5, 0.9), "pdr_wellbeing": ("pdr", 3.5, 0.9),
    "pdr_career": ("pdr", 3.3, 0.9), "pdr_recognition": ("pdr", 3.5, 0.9),
    "pdr_actions": ("pdr", 3.2, 0.9), "pdr_safe_challenge": ("pdr", 3.7, 0.9),
    "pdr_followed_up": ("pdr", 3.1, 0.9), "pdr_useful": ("pdr", 3.2, 0.9),
    "pdr_valued": ("pdr", 3.1, 0.9),
    "promo_accessible": ("promotion", 3.3, 0.9), "promo_criteria_clear": ("promotion", 3.5, 0.9),
    "promo_decisions_fair": ("promotion", 2.9, 0.9), "promo_feedback": ("promotion", 3.0, 0.9),
    "promo_confident_apply": ("promotion", 3.2, 0.9),
    "promo_positive_action": ("promotion", 3.6, 0.4),
    "promo_pdr_readiness": ("promotion", 3.1, 0.9),
    "promo_support_prepare": ("promotion", 3.2, 0.9),
}
NOISE = {"who5": 0.75, "ons11": 1.4, "cbi_degree": 18.0, "cbi_frequency": 18.0,
         "agree5": 0.8}
DONT_KNOW = {"concern_acted_on": 0.15, "promo_feedback": 0.30, "promo_accessible": 0.08,
             "promo_criteria_clear": 0.08, "promo_decisions_fair": 0.12,
             "promo_confident_apply": 0.06, "promo_positive_action": 0.05,
             "promo_pdr_readiness": 0.10, "promo_support_prepare": 0.12}
DONT_KNOW_DEFAULT = 0.03
DONT_KNOW_WITHOUT_PDR = 0.35  # added for pdr_* items when the respondent had no PDR
SKIP_RATE = 0.015
BREAK_OFF_RATE = 0.03
RETICENT_SHARE = 0.05
PREFER_NOT_RETICENT = 0.6
PREFER_NOT_RATE = {"sexual_orientation": 0.06, "religion": 0.05, "ethnicity": 0.035,
                   "disability_condition": 0.045}
PREFER_NOT_RATE_DEFAULT = 0.025
COMMENTS = {
    "comment_wellbeing": (0.12, [
        "More time with my line manager to talk about how things are going.",
        "Fewer cancelled rest days.",
        "Better access to occupational health.",
        "Shift patterns that are published further in advance.",
        "More staff on each team so the workload is shared.",
        "Quicker follow-up after difficult incidents.",
        "Somewhere quiet to take a break during a shift.",
        "Less time spent on duplicated paperwork.",
        "Knowing that raising a concern will not count against me.",
        "Working equipment and IT that does not slow us down.",
    ]),
    "comment_promotion": (0.08, [
        "Clearer information about how boards reach their decisions.",
        "Feedback that says what to work on before the next process.",
        "Time set aside to prepare for the exam.",
        "A mentor from outside my own department.",
        "Publishing the criteria before the process opens.",
        "Not relying on who you know.",
        "Recognising part-time and flexible workers as ready for promotion.",
        "Making temporary promotions open to everyone who is eligible.",
    ]),
}
