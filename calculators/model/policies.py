"""Policies: the named behaviours of the reference model that a venue profile must source.

``POLICIES`` maps each policy name to a one-line description for readers (what the model does when it
*exercises* the policy). Every venue file lists every policy with a value (``true``: the venue does it;
``false``: it does not) and its sources, or ``assumption: true`` when no document was found.

The exchange records a policy in ``Exchange.exercised`` at the point the behaviour happens; a rule whose
scenario exercised a policy its venue does not source fails the build (``scripts/pipeline/rules.py``).

``REFUSABLE`` lists the policies the model never exercises on a venue whose value is ``false`` (the
behaviour simply does not happen there). The others describe how something that does happen is handled
(interest at a rate of 0 is still a statement about interest), so they are exercised whatever the value,
whenever their situation arises; ``DEBT_POLICIES`` arise only where a negative balance can exist.
"""

POLICIES = {
    "fund_takes_surplus": "the insurance fund taking what is left of a liquidated position's margin",
    "fund_covers_deficit": "the insurance fund paying a liquidation's deficit (a fill worse than the bankruptcy price)",
    "deficit_to_adl": "auto-deleveraging: opposing profitable positions closed at the bankruptcy price for what "
                      "the insurance fund cannot cover",
    "deficit_to_wallet": "a negative balance: what the insurance fund cannot cover left on the trader's wallet",
    "fee_to_close_in_position_margin": "the fee to close reserved in an isolated position margin and taken whole "
                                       "by a liquidation",
    "partial_liquidation": "partial liquidation: a position in risk-limit tier 2 or higher first reduced to a "
                           "lower tier",
    "risk_limit_tiers": "risk-limit tiers: a position above the first tier refused or priced by the venue's table",
    "withdrawal_blocked_while_negative": "withdrawals refused while the user has a negative balance",
    "open_blocked_while_negative": "orders that open a position refused while the user has a negative balance",
    "block_follows_user": "a negative balance blocking every account of the user, not only the negative one",
    "deposit_repays_debt": "a deposit repaying a negative balance first",
    "debt_interest": "interest (or none) on a debt or a borrowing as time passes",
    "interest_free_amount": "an interest-free amount exempting part of a borrowing from interest",
    "liability_blocks_withdrawal": "no withdrawal of a coin that has a liability (a loan)",
    "funding_from_position_margin": "an isolated funding payment taken from the position margin when the "
                                    "available balance cannot meet it",
    "funding_in_isolated_margin": "funding on an isolated position settled in that position's margin (its "
                                  "isolated wallet): paid from it and received into it, whatever the "
                                  "available balance",
    "isolated_margin_below_zero": "an isolated position margin taken below zero by a funding payment: the "
                                  "position stays open while its profit covers maintenance, and is "
                                  "liquidated (the deficit to the venue's deficit policy) once it does not",
    "never_negative": "a balance that never goes below zero: payments and deficits capped at zero",
}

REFUSABLE = frozenset({
    "fund_takes_surplus", "fund_covers_deficit", "deficit_to_adl", "deficit_to_wallet",
    "fee_to_close_in_position_margin", "partial_liquidation", "risk_limit_tiers", "withdrawal_blocked_while_negative",
    "open_blocked_while_negative", "block_follows_user", "liability_blocks_withdrawal",
    "funding_from_position_margin", "funding_in_isolated_margin", "isolated_margin_below_zero", "never_negative",
})
DEBT_POLICIES = frozenset({"deposit_repays_debt", "debt_interest", "interest_free_amount"})


def can_exercise(venue, policy):
    """True when the model may exercise ``policy`` on ``venue`` (see the module docstring)."""
    if policy not in POLICIES:
        raise KeyError(f"unknown policy {policy!r}")
    if policy in REFUSABLE:
        if policy == "block_follows_user":
            return venue.does(policy) and (venue.does("withdrawal_blocked_while_negative")
                                           or venue.does("open_blocked_while_negative"))
        return venue.does(policy)
    if policy in DEBT_POLICIES:
        if policy == "interest_free_amount" and venue.hourly_interest_rate == 0:
            return False
        return venue.can_go_negative
    return True
