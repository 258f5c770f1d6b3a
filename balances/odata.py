"""OData entity set of recoverable balances (declared here, served by the api app): one row per
user and currency, the owed balance being the sum of that user's recoverable rewards (positive
advances, negative repayments), as balances.selectors computes it, for every user at once."""

from django.db.models import CharField, Count, Max, Sum, Value
from django.db.models.functions import Cast, Concat

from api.edm import DATETIME, DECIMAL, INT64, STRING, EntitySet, Nav, Prop, register
from plans.models import Reward


def odata_recoverable_balances(tenant):
    return (
        Reward.objects.filter(tenant=tenant, recoverable=True)
        # Grouped by user and currency; the user's columns are in the grouping so that $expand=User
        # (which reads them) stays valid SQL on PostgreSQL.
        .values("user_id", "user__id", "user__email", "user__full_name", "currency")
        .annotate(
            odata_key=Concat(Cast("user_id", CharField()), Value("-"), "currency", output_field=CharField()),
            odata_balance=Sum("amount"),
            odata_rewards=Count("id"),
            odata_last_reward_at=Max("created_at"),
        )
    )


register(
    EntitySet(
        name="RecoverableBalances",
        type_name="RecoverableBalance",
        model=Reward,
        queryset=odata_recoverable_balances,
        props=[
            Prop("Id", "odata_key", edm=STRING, max_length=40, nullable=False),
            Prop("UserId", "user_id"),
            Prop("UserEmail", "user__email"),
            Prop("UserName", "user__full_name"),
            Prop("Currency", "currency"),
            Prop("Balance", "odata_balance", edm=DECIMAL, precision=16, scale=2, nullable=False),
            Prop("RecoverableRewards", "odata_rewards", edm=INT64, nullable=False),
            Prop("LastRewardAt", "odata_last_reward_at", edm=DATETIME, nullable=False),
        ],
        navs=[Nav("User", "Users", "user")],
        description="Owed balance per user and currency: the sum of the user's recoverable rewards.",
    )
)
