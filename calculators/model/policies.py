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
    "fund_takes_surplus": "what is left of a liquidated position's margin goes to the insurance fund",
    "fund_covers_deficit": "the insurance fund pays a liquidation's deficit (a fill worse than the "
                           "bankruptcy price)",
    "deficit_to_adl": "what the insurance fund cannot cover is taken by closing opposing profitable "
                      "positions at the bankruptcy price (auto-deleveraging)",
    "deficit_to_wallet": "what the insurance fund cannot cover stays on the trader's wallet as a negative "
                         "balance",
    "fee_to_close_in_position_margin": "an isolated position margin reserves the fee to close (at the "
                                       "bankruptcy price), and a liquidation takes all of it",
    "partial_liquidation": "a position in risk-limit tier 2 or higher is first reduced to a lower tier "
                           "instead of being closed at once",
    "risk_limit_tiers": "a position above the first risk-limit tier is refused or priced by the venue's "
                        "published tier table",
    "withdrawal_blocked_while_negative": "withdrawals are refused while the user has a negative balance",
    "open_blocked_while_negative": "orders that open a position are refused while the user has a negative "
                                   "balance",
    "block_follows_user": "a block caused by a negative balance applies to every account of the user, "
                          "not only the negative one",
    "deposit_repays_debt": "a deposit repays a negative balance first",
    "debt_interest": "a debt or a borrowing is (or is not) charged interest as time passes",
    "interest_free_amount": "part of a borrowing is exempt from interest",
    "liability_blocks_withdrawal": "a coin with a liability (a loan) cannot be withdrawn",
    "funding_from_position_margin": "an isolated funding payment the available balance cannot meet is "
                                    "taken from the position margin",
    "never_negative": "a payment or a deficit is capped so that a balance stays at zero",
}

REFUSABLE = frozenset({
    "fund_takes_surplus", "fund_covers_deficit", "deficit_to_adl", "deficit_to_wallet",
    "fee_to_close_in_position_margin", "partial_liquidation", "withdrawal_blocked_while_negative",
    "open_blocked_while_negative", "block_follows_user", "liability_blocks_withdrawal",
    "funding_from_position_margin", "never_negative",
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
